#pragma once
// Turning an untrusted request path into a safe relative file path. Pure: no filesystem access.

#include <optional>
#include <string>
#include <string_view>

namespace hw::http {

/// Percent-decodes `s` once. Returns nullopt on a malformed escape ("%G1", truncated "%4").
std::optional<std::string> percent_decode(std::string_view s);

/// The value of `key` in a query string ("EIO=4&transport=polling"), percent-decoded; empty
/// when absent, valueless or malformed.
std::string query_param(std::string_view query, std::string_view key);

/// Why a path was refused.
enum class path_error { none, malformed, traversal, forbidden_char, encoded_separator };

struct sanitized_path {
  path_error error = path_error::none;
  /// Relative path ("", "index.html", "_next/static/a.js") with single '/' separators,
  /// no leading '/', no "." or ".." segments. Empty when the request names the root.
  std::string relative;
  /// True when the request path ended with '/' (a directory was asked for).
  bool trailing_slash = false;
};

/// Decodes the raw (percent-encoded) path of a request target and checks it:
/// - must start with '/'; malformed escapes are refused (malformed);
/// - any "." or ".." segment, before or after decoding, is refused (traversal);
/// - NUL, backslash and other control characters are refused (forbidden_char);
/// - an escape that decodes to '/', '\\' or '%' is refused (encoded_separator): "%2f" smuggles a
///   separator and "%25" is how double encoding ("%252e%252e") gets through naive decoders.
/// Empty segments ("//") collapse.
sanitized_path sanitize_path(std::string_view raw_path);

}  // namespace hw::http

#pragma once
// The inline scripts of an HTML page, for the CSP hashes that let them run under
// `script-src 'self'` (a Next.js static export puts several in every page, different per page
// and per build). Pure; linear in the page.

#include <cstddef>
#include <string>
#include <string_view>
#include <vector>

namespace hw::http {

/// Inline scripts kept per page: a page with more is served with the hashes of the first ones
/// only (its later inline scripts are then blocked by the browser).
inline constexpr std::size_t max_inline_scripts = 64;

struct inline_scripts {
  /// The text of each inline script, in document order, as the browser hashes it: the bytes
  /// between `<script ...>` and `</script`, with CRLF and CR turned into LF and NUL into U+FFFD
  /// (the HTML parser's input normalisation). The page is taken to be UTF-8.
  std::vector<std::string> texts;
  bool truncated = false;  ///< more than `max` inline scripts: the rest were not collected
};

/// Finds the `<script>` elements without a `src` attribute, tolerantly, as a browser's tokenizer
/// would: tag and attribute names in any case, attributes in any order, quoted values may hold
/// `>`; a script ends at `</script` (any case) followed by white space, `/`, `>` or the end.
/// Comments, other tags and the raw text of style/textarea/title/noscript/xmp/iframe/noembed/
/// noframes are skipped, so a "<script" inside them is no script. A script with no end tag is
/// not run by browsers and is not collected; nothing after it is either.
inline_scripts find_inline_scripts(std::string_view html, std::size_t max = max_inline_scripts);

/// "'sha256-<base64 of SHA-256 of text>'": a CSP source allowing the script `text`.
std::string script_hash_source(std::string_view text);

/// script_hash_source() of each inline script of `html` (find_inline_scripts), in order.
std::vector<std::string> script_hash_sources(std::string_view html,
                                             std::size_t max = max_inline_scripts);

}  // namespace hw::http

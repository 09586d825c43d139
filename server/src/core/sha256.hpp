#pragma once
// SHA-256 (OpenSSL), for content hashes such as the CSP sources of inline scripts. Not a MAC:
// keyed hashes use core/hmac.

#include <string>
#include <string_view>

namespace hw::core {

/// The 32-byte raw SHA-256 digest of `data`.
std::string sha256(std::string_view data);

/// RFC 4648 base64 (standard alphabet, with '=' padding), as CSP hash sources use it.
std::string base64_encode(std::string_view data);

}  // namespace hw::core

#pragma once
// HMAC-SHA256, the one keyed hash of the server (guest tokens, client-address hashes), and
// HMAC-SHA1 only where another program requires it (TURN REST credentials, which coturn checks).

#include <string>
#include <string_view>

namespace hw::core {

/// The 32-byte raw HMAC-SHA256 of `data` under `key`.
std::string hmac_sha256(std::string_view key, std::string_view data);
/// The 20-byte raw HMAC-SHA1 of `data` under `key` (coturn's use-auth-secret; not for our own
/// secrets).
std::string hmac_sha1(std::string_view key, std::string_view data);

}  // namespace hw::core

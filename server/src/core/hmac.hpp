#pragma once
// HMAC-SHA256, the one keyed hash of the server (guest tokens, client-address hashes).

#include <string>
#include <string_view>

namespace hw::core {

/// The 32-byte raw HMAC-SHA256 of `data` under `key`.
std::string hmac_sha256(std::string_view key, std::string_view data);

}  // namespace hw::core

#pragma once
// Server secrets (JWT key, client-address hash key): given in config, or generated once and kept
// under the data directory with mode 0600 so `make run` needs no setup and restarts keep tokens
// valid.

#include <filesystem>
#include <optional>
#include <string>

namespace hw::core {

/// `n` cryptographically random bytes (OpenSSL RAND_bytes), hex-encoded.
std::string random_hex(std::size_t n);

/// Returns the secret stored in `file`, creating it (parent directory 0700, file 0600, 32 random
/// bytes hex-encoded) when absent. On failure returns nullopt and sets `error`.
/// A file readable by group or others is tightened to 0600.
std::optional<std::string> load_or_create_secret(const std::filesystem::path& file,
                                                 std::string& error);

}  // namespace hw::core

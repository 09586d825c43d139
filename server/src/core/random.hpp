#pragma once
// Unpredictable identifiers (session ids, socket ids, guest ids, recovery pids) from OpenSSL's
// thread-safe CSPRNG. Ids are capabilities here (knowing one lets you resume a session), so they
// must not come from a seeded PRNG.

#include <cstdint>
#include <string>

namespace hw::core {

/// `n` characters from the URL-safe base64 alphabet (6 random bits each).
std::string random_token(std::size_t n);
/// 64 random bits.
std::uint64_t random_u64();

}  // namespace hw::core

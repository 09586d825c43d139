#pragma once
// The domain's only views of the outside world: time and randomness. Everything in app/ takes
// them as parameters so that tests drive time by hand and replay randomness from a seed, and so
// that the same code runs unchanged whatever the gateway plugs in (a CSPRNG in production).

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <span>

#include "core/random.hpp"

namespace hw::app {

/// The domain's monotonic instant.
using time_point = std::chrono::steady_clock::time_point;

/// Time source. `now()` is monotonic (timers, waits, rate limits); `unix_ms()` is wall-clock
/// milliseconds since the Unix epoch (timestamps shown to clients). Implementations used by the
/// app strand need no internal locking.
class clock {
 public:
  virtual ~clock() = default;
  [[nodiscard]] virtual time_point now() const = 0;
  [[nodiscard]] virtual std::int64_t unix_ms() const = 0;
};

/// Randomness source. Production plugs in a CSPRNG because room ids must be unguessable;
/// tests plug in `seeded_random` (app/testing.hpp).
class random {
 public:
  virtual ~random() = default;
  /// 64 uniformly distributed bits.
  virtual std::uint64_t next() = 0;
  /// Fills `out` with random bytes. The default draws from next(), eight bytes at a time.
  virtual void fill(std::span<std::uint8_t> out) {
    std::size_t i = 0;
    while (i < out.size()) {
      std::uint64_t v = next();
      for (int k = 0; k < 8 && i < out.size(); ++k, ++i) {
        out[i] = static_cast<std::uint8_t>(v & 0xFFU);
        v >>= 8U;
      }
    }
  }
};

/// A uniform value in [0, n) without modulo bias (rejection sampling); 0 when n == 0.
inline std::uint64_t uniform_below(random& r, std::uint64_t n) {
  if (n <= 1) return 0;
  // The largest multiple of n that fits: values at or above it would favour small results.
  const std::uint64_t limit = UINT64_MAX - (UINT64_MAX % n);
  for (;;) {
    const std::uint64_t v = r.next();
    if (v < limit) return v % n;
  }
}

/// The real clocks: steady_clock for now(), system_clock for unix_ms().
class system_clock final : public clock {
 public:
  [[nodiscard]] time_point now() const override { return std::chrono::steady_clock::now(); }
  [[nodiscard]] std::int64_t unix_ms() const override {
    return std::chrono::duration_cast<std::chrono::milliseconds>(
               std::chrono::system_clock::now().time_since_epoch())
        .count();
  }
};

/// The real randomness: the process CSPRNG (thread-safe). Room ids and generated usernames are
/// drawn from it, since ids are capabilities and must not come from a seeded PRNG.
class crypto_random final : public random {
 public:
  std::uint64_t next() override { return core::random_u64(); }
};

}  // namespace hw::app

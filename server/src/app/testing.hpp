#pragma once
// Deterministic ports for tests: a clock that only moves when told and a seeded random
// generator, so no test sleeps and every failure replays.

#include <chrono>
#include <cstdint>

#include "app/ports.hpp"

// In hw::app itself rather than a nested `testing` namespace, which would shadow GoogleTest's
// ::testing inside tests written in hw::app.
namespace hw::app {

/// A clock that moves only through set()/advance(). Both readings move together so that
/// monotonic and wall-clock times stay consistent. Starts at an arbitrary non-zero instant.
class manual_clock final : public clock {
 public:
  explicit manual_clock(std::int64_t start_unix_ms = 1'700'000'000'000) : unix_ms_(start_unix_ms) {}

  [[nodiscard]] time_point now() const override { return now_; }
  [[nodiscard]] std::int64_t unix_ms() const override { return unix_ms_; }

  void advance(std::chrono::steady_clock::duration d) {
    now_ += d;
    unix_ms_ += std::chrono::duration_cast<std::chrono::milliseconds>(d).count();
  }

 private:
  time_point now_ = time_point{} + std::chrono::hours(1);
  std::int64_t unix_ms_;
};

/// splitmix64: tiny, fast, passes BigCrush, and a fixed seed replays the same sequence.
class seeded_random final : public random {
 public:
  explicit seeded_random(std::uint64_t seed = 42) : state_(seed) {}

  std::uint64_t next() override {
    std::uint64_t z = (state_ += 0x9E3779B97F4A7C15ULL);
    z = (z ^ (z >> 30U)) * 0xBF58476D1CE4E5B9ULL;
    z = (z ^ (z >> 27U)) * 0x94D049BB133111EBULL;
    return z ^ (z >> 31U);
  }

 private:
  std::uint64_t state_;
};

}  // namespace hw::app

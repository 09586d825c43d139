#pragma once
// Per-guest rate limiting: a token bucket per (guest, event kind), and a flood guard that turns
// "keeps being refused" into "disconnect". Both are plain values driven by the caller's clock;
// nothing here reads the time itself.

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <list>
#include <mutex>
#include <string>
#include <unordered_map>
#include <vector>

#include "app/ports.hpp"

namespace hw::app {

/// Bucket parameters: refill `rate` tokens per second up to `burst` tokens.
struct bucket_config {
  double rate = 1.0;
  double burst = 1.0;
};

/// Suggested defaults for the realtime events (the config layer may override them).
inline constexpr bucket_config message_limit_default{5.0, 10.0};
inline constexpr bucket_config typing_limit_default{4.0, 4.0};
inline constexpr bucket_config match_limit_default{2.0, 5.0};
/// Receipts (chat:delivered, chat:read): at most one of each per message received, so twice the
/// message rate with room for a backlog after a reconnect.
inline constexpr bucket_config receipt_limit_default{20.0, 40.0};
/// Everything else a client may send (stats:get, user:match:cancel, chat:leave and its aliases):
/// a person clicks these a few times a minute.
inline constexpr bucket_config control_limit_default{10.0, 50.0};
/// webrtc:* signaling: a browser gathers a burst of candidates at the start of a call.
inline constexpr bucket_config signal_limit_default{50.0, 200.0};
/// REST guest creation per client address: 10 per minute, burst 10.
inline constexpr bucket_config guest_create_limit_default{10.0 / 60.0, 10.0};

/// A token bucket. It starts full at the first call. Contract: a non-finite or negative rate
/// counts as 0 (never refills); a burst below 1 (or non-finite) counts as 1, so a bucket can
/// always grant one token eventually unless its rate is 0. Time going backwards (a caller bug)
/// refills nothing and is otherwise ignored.
class token_bucket {
 public:
  explicit token_bucket(bucket_config cfg);

  /// Takes `tokens` (non-finite or negative → refused) if available; false otherwise.
  bool try_take(time_point now, double tokens = 1.0);

  /// Milliseconds until `tokens` would be available (0 if they are now), rounded up. A request
  /// larger than the burst can never succeed: the answer is then the time to a full bucket.
  /// With a zero rate and too few tokens the answer is INT64_MAX.
  [[nodiscard]] std::int64_t retry_after_ms(time_point now, double tokens = 1.0);

  /// Tokens available at `now` (for tests and metrics).
  [[nodiscard]] double available(time_point now);

 private:
  void refill(time_point now);

  double rate_;
  double burst_;
  double tokens_;
  time_point last_{};
  bool started_ = false;
};

/// Token buckets by key (a client address key), bounded in keys, thread-safe. A bucket left
/// alone for burst / rate seconds is full again, i.e. indistinguishable from a new one, so it is
/// forgotten: entries are kept in last-use order and expired from the old end on each call, so
/// the work is proportional to what expired (no scan of the table under the lock). With
/// `max_keys` live keys a new key is refused until the oldest one expires.
class keyed_buckets {
 public:
  keyed_buckets(bucket_config cfg, std::size_t max_keys);

  /// Takes one token from `key`'s bucket. On refusal, `retry_after_ms` says when to retry.
  bool try_take(const std::string& key, time_point now, std::int64_t& retry_after_ms);
  /// Keys currently tracked (expired ones are dropped first).
  [[nodiscard]] std::size_t size(time_point now);

 private:
  struct entry {
    token_bucket bucket;
    time_point last_use;
    std::list<std::string>::iterator order;
  };
  void expire(time_point now);  // requires mutex_

  bucket_config cfg_;
  std::size_t max_keys_;
  /// Idle time after which a bucket is full again; max() when it never refills.
  std::chrono::steady_clock::duration idle_full_;
  std::mutex mutex_;
  std::unordered_map<std::string, entry> entries_;
  std::list<std::string> by_use_;  ///< oldest use first
};

/// How much refusing makes a flood: more than `max_refusals` within any `window`.
struct flood_config {
  std::size_t max_refusals = 30;
  std::chrono::steady_clock::duration window = std::chrono::seconds(10);
};

/// Counts refusals in a sliding window. `refuse(now)` records one and answers whether the guest
/// is flooding (more than max_refusals refusals in (now − window, now]); the caller then
/// disconnects it. Memory is bounded by max_refusals + 1 timestamps.
class flood_guard {
 public:
  explicit flood_guard(flood_config cfg = {}) : cfg_(cfg) {}

  bool refuse(time_point now);
  /// Refusals currently inside the window ending at `now`.
  [[nodiscard]] std::size_t count(time_point now);
  void reset() { hits_.clear(); }

 private:
  void expire(time_point now);

  flood_config cfg_;
  /// At most max_refusals + 1 entries, oldest first; a vector, so an idle guard holds no heap.
  std::vector<time_point> hits_;
};

}  // namespace hw::app

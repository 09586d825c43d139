#pragma once
// Per-client-address admission of Engine.IO sessions: a cap on the sessions an address holds at
// once and a token bucket on the handshakes it starts. Keyed by the request's client_id (the
// same key as the connection limits). Thread-safe; every call is O(1) under one short lock.
//
// Bounded by construction: an address is tracked while it holds a session, and afterwards only
// until its bucket would have refilled (burst / rate) or while fewer than `max_idle` addresses
// are waiting to be forgotten; the oldest idle address is forgotten first. No scan ever runs.

#include <chrono>
#include <cstddef>
#include <list>
#include <mutex>
#include <string>
#include <unordered_map>

namespace hw::engineio {

class client_limits {
 public:
  using clock = std::chrono::steady_clock;

  struct config {
    std::size_t max_live = 32;  ///< live sessions per address (0 = no cap)
    double rate = 10;           ///< handshakes per second per address (0 = no limit)
    double burst = 30;
    std::size_t max_idle = 65'536;  ///< addresses without a session still remembered
  };
  enum class verdict { ok, over_live, over_rate };

  explicit client_limits(config c) : cfg_(c) {}

  /// A handshake from `key`: spends a token and takes a live slot when both are available.
  /// On ok the caller owns one slot and must release() it when the session ends.
  verdict acquire(const std::string& key, clock::time_point now = clock::now());
  void release(const std::string& key, clock::time_point now = clock::now());

  /// Addresses tracked (live or idle); for tests and metrics.
  [[nodiscard]] std::size_t tracked() const;
  [[nodiscard]] std::size_t live(const std::string& key) const;

 private:
  using idle_list = std::list<std::pair<std::string, clock::time_point>>;  // key, idle since
  struct entry {
    std::size_t live = 0;
    double tokens = 0;
    clock::time_point refilled;  ///< when `tokens` was last brought up to date
    bool idle = false;
    idle_list::iterator idle_pos;  ///< valid while idle
  };
  void refill(entry& e, clock::time_point now) const;
  void forget_expired(clock::time_point now);

  config cfg_;
  mutable std::mutex mutex_;
  std::unordered_map<std::string, entry> entries_;
  idle_list idle_;  // addresses without a session, oldest first
};

}  // namespace hw::engineio

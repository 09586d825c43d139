#pragma once
// Realtime activity keeps a guest's session alive (the store's sliding TTL), but one store call
// per event would be wasteful: a guest is touched at most once per interval. Time comes from an
// injected clock, so tests move it by hand. Not thread-safe: owned by the app strand.

#include <chrono>
#include <cstddef>
#include <string>
#include <unordered_map>

#include "app/ports.hpp"

namespace hw::gateway {

class touch_throttle {
 public:
  /// `clock` must outlive the throttle.
  touch_throttle(std::chrono::milliseconds interval, const app::clock& clock);

  /// True when `guest`'s session is due a touch now (its last one is an interval old, or it
  /// had none); the touch is then recorded.
  bool due(const std::string& guest);
  /// Drops what is kept for `guest` (its connection ended).
  void forget(const std::string& guest) { last_.erase(guest); }
  [[nodiscard]] std::size_t size() const { return last_.size(); }

 private:
  std::chrono::milliseconds interval_;
  const app::clock& clock_;
  std::unordered_map<std::string, app::time_point> last_;
};

}  // namespace hw::gateway

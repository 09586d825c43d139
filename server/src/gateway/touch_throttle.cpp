#include "gateway/touch_throttle.hpp"

namespace hw::gateway {

touch_throttle::touch_throttle(std::chrono::milliseconds interval, const app::clock& clock)
    : interval_(interval), clock_(clock) {}

bool touch_throttle::due(const std::string& guest) {
  const auto now = clock_.now();
  auto [it, added] = last_.try_emplace(guest, now);
  if (added) return true;
  if (now - it->second < interval_) return false;
  it->second = now;
  return true;
}

}  // namespace hw::gateway

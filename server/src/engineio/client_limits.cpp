#include "engineio/client_limits.hpp"

#include <algorithm>

namespace hw::engineio {

void client_limits::refill(entry& e, clock::time_point now) const {
  if (cfg_.rate <= 0) return;
  const std::chrono::duration<double> dt = now - e.refilled;
  e.tokens = std::min(cfg_.burst, e.tokens + dt.count() * cfg_.rate);
  e.refilled = now;
}

// Idle addresses are forgotten once their bucket would be full again (then forgetting changes
// nothing), or beyond max_idle (oldest first). idle_ is ordered by idle-since, and the refill
// time is the same for all, so only its front needs looking at: amortised O(1).
void client_limits::forget_expired(clock::time_point now) {
  const auto refill_time = cfg_.rate > 0
                               ? std::chrono::duration_cast<clock::duration>(
                                     std::chrono::duration<double>(cfg_.burst / cfg_.rate))
                               : clock::duration::zero();
  while (!idle_.empty() &&
         (idle_.size() > cfg_.max_idle || now - idle_.front().second >= refill_time)) {
    entries_.erase(idle_.front().first);
    idle_.pop_front();
  }
}

client_limits::verdict client_limits::acquire(const std::string& key, clock::time_point now) {
  std::lock_guard lock(mutex_);
  forget_expired(now);
  auto [it, fresh] = entries_.try_emplace(key);
  auto& e = it->second;
  if (fresh) {
    e.tokens = cfg_.burst;
    e.refilled = now;
  }
  refill(e, now);
  auto result = verdict::ok;
  if (cfg_.max_live != 0 && e.live >= cfg_.max_live) {
    result = verdict::over_live;
  } else if (cfg_.rate > 0 && e.tokens < 1) {
    result = verdict::over_rate;
  }
  if (result != verdict::ok) {
    if (fresh) entries_.erase(it);  // only possible with a zero cap or burst: keep nothing
    return result;
  }
  if (cfg_.rate > 0) e.tokens -= 1;
  if (e.idle) {
    idle_.erase(e.idle_pos);
    e.idle = false;
  }
  ++e.live;
  return verdict::ok;
}

void client_limits::release(const std::string& key, clock::time_point now) {
  std::lock_guard lock(mutex_);
  auto it = entries_.find(key);
  if (it == entries_.end() || it->second.live == 0) return;
  if (--it->second.live == 0) {
    it->second.idle = true;
    it->second.idle_pos = idle_.emplace(idle_.end(), key, now);
  }
  forget_expired(now);
}

std::size_t client_limits::tracked() const {
  std::lock_guard lock(mutex_);
  return entries_.size();
}

std::size_t client_limits::live(const std::string& key) const {
  std::lock_guard lock(mutex_);
  auto it = entries_.find(key);
  return it == entries_.end() ? 0 : it->second.live;
}

}  // namespace hw::engineio

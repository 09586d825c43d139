#include "net/conn_limits.hpp"

namespace hw::net {

conn_limits::admit conn_limits::try_acquire(const std::string& ip) {
  std::lock_guard lock(mutex_);
  if (total_ >= max_total_) return admit::over_total;
  if (ip.empty()) {  // exempt from the per-address bound (a trusted proxy)
    ++total_;
    return admit::ok;
  }
  auto& n = per_ip_[ip];
  if (n >= max_per_ip_) {
    if (n == 0) per_ip_.erase(ip);
    return admit::over_per_ip;
  }
  ++n;
  ++total_;
  return admit::ok;
}

void conn_limits::release(const std::string& ip) {
  std::lock_guard lock(mutex_);
  if (ip.empty()) {
    if (total_ > 0) --total_;
    return;
  }
  auto it = per_ip_.find(ip);
  if (it == per_ip_.end()) return;
  if (--it->second == 0) per_ip_.erase(it);  // the map holds only addresses with open connections
  --total_;
}

std::size_t conn_limits::open() const {
  std::lock_guard lock(mutex_);
  return total_;
}

std::size_t conn_limits::open_from(const std::string& ip) const {
  std::lock_guard lock(mutex_);
  auto it = per_ip_.find(ip);
  return it == per_ip_.end() ? 0 : it->second;
}

}  // namespace hw::net

#pragma once
// Admission control for TCP connections: a total bound and a per-client-address bound. Pure
// (std only) and thread-safe, so the listener's accept path and every session's destructor may
// call it from any I/O thread.

#include <cstddef>
#include <mutex>
#include <string>
#include <unordered_map>

namespace hw::net {

class conn_limits {
 public:
  enum class admit { ok, over_total, over_per_ip };

  conn_limits(std::size_t max_total, std::size_t max_per_ip)
      : max_total_(max_total), max_per_ip_(max_per_ip) {}

  /// Counts a new connection from address key `ip` unless a bound is reached. An empty key is
  /// counted in the total only: a trusted proxy multiplexes many clients, so its connections
  /// must not share one client's per-address bound.
  admit try_acquire(const std::string& ip);
  /// Uncounts a connection admitted earlier.
  void release(const std::string& ip);
  [[nodiscard]] std::size_t open() const;
  [[nodiscard]] std::size_t open_from(const std::string& ip) const;

 private:
  std::size_t max_total_;
  std::size_t max_per_ip_;
  mutable std::mutex mutex_;
  std::size_t total_ = 0;
  std::unordered_map<std::string, std::size_t> per_ip_;
};

}  // namespace hw::net

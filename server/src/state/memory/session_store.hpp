#pragma once
// In-memory guest sessions (single instance). Expiry is lazy plus an ordered index: each call
// first drops the sessions whose TTL ran out (oldest first, so the work is proportional to what
// expired), so memory stays bounded by live sessions without a background sweep.

#include <chrono>
#include <cstdint>
#include <functional>
#include <map>
#include <mutex>
#include <unordered_map>

#include "app/guest.hpp"

namespace hw::state::memory {

class session_store final : public app::session_store {
 public:
  using time_point = std::chrono::steady_clock::time_point;
  session_store(std::function<time_point()> now, std::chrono::milliseconds ttl,
                std::size_t max_sessions, std::size_t max_per_owner = SIZE_MAX);

  void create(const app::guest& g, const std::string& owner,
              std::function<void(app::create_status)> done) override;
  void touch(const std::string& id, std::function<void(std::optional<app::guest>)> done) override;
  void remove(const std::string& id) override;
  [[nodiscard]] std::size_t size() const;
  /// Sessions not yet expired: drops the expired ones first (work proportional to what
  /// expired), so a gauge read while no guest calls in still falls with the TTL.
  [[nodiscard]] std::size_t live();
  /// Live sessions of one owner (expired ones are not dropped by this call).
  [[nodiscard]] std::size_t owned_by(const std::string& owner) const;

 private:
  struct entry {
    app::guest g;
    time_point expires;
    std::string owner;
  };
  void expire(time_point now);                                      // requires mutex_
  void erase(std::unordered_map<std::string, entry>::iterator it);  // requires mutex_

  std::function<time_point()> now_;
  std::chrono::milliseconds ttl_;
  std::size_t max_;
  std::size_t max_per_owner_;
  std::unordered_map<std::string, std::size_t> per_owner_;
  mutable std::mutex mutex_;
  std::unordered_map<std::string, entry> sessions_;
  std::multimap<time_point, std::string> by_expiry_;
};

}  // namespace hw::state::memory

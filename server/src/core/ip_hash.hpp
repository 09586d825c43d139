#pragma once
// The only form in which a client address may appear in logs or storage: a keyed hash
// (HMAC-SHA256, truncated to 64 bits, hex). Stable for a key, so one client's requests can be
// correlated; not reversible without the key (an unkeyed hash of an IPv4 address is).

#include <string>
#include <string_view>

namespace hw::core {

class ip_hasher {
 public:
  explicit ip_hasher(std::string key) : key_(std::move(key)) {}
  /// 16 lower-case hex characters.
  [[nodiscard]] std::string hash(std::string_view ip) const;

 private:
  std::string key_;
};

}  // namespace hw::core

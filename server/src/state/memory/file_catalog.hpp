#pragma once
// File records in memory (single instance), indexed by id, by room (a chat's end removes its
// files without a scan) and by expiry (the sweeper takes only what expired). Not thread-safe:
// the app strand owns it, like the file domain that uses it.

#include <map>
#include <set>
#include <unordered_map>
#include <utility>

#include "app/files.hpp"

namespace hw::state::memory {

class file_catalog final : public app::file_catalog {
 public:
  bool put(app::file_record r) override;
  [[nodiscard]] std::optional<app::file_record> get(const std::string& id) const override;
  bool remove(const std::string& id) override;
  std::vector<std::string> remove_room(const std::string& room_id) override;
  std::vector<std::string> remove_expired(std::int64_t now_ms) override;
  [[nodiscard]] std::optional<std::int64_t> next_expiry() const override;
  [[nodiscard]] std::size_t size() const override { return files_.size(); }
  [[nodiscard]] std::uint64_t bytes() const override { return bytes_; }

 private:
  std::unordered_map<std::string, app::file_record> files_;
  std::unordered_map<std::string, std::set<std::string>> by_room_;
  std::set<std::pair<std::int64_t, std::string>> by_expiry_;
  std::uint64_t bytes_ = 0;
};

}  // namespace hw::state::memory

#include "state/memory/file_catalog.hpp"

namespace hw::state::memory {

bool file_catalog::put(app::file_record r) {
  if (files_.contains(r.id)) return false;
  by_room_[r.room_id].insert(r.id);
  by_expiry_.emplace(r.expires_at_ms, r.id);
  bytes_ += r.size;
  auto id = r.id;
  files_.emplace(std::move(id), std::move(r));
  return true;
}

std::optional<app::file_record> file_catalog::get(const std::string& id) const {
  const auto it = files_.find(id);
  if (it == files_.end()) return std::nullopt;
  return it->second;
}

bool file_catalog::remove(const std::string& id) {
  const auto it = files_.find(id);
  if (it == files_.end()) return false;
  const auto& r = it->second;
  if (auto room = by_room_.find(r.room_id); room != by_room_.end()) {
    room->second.erase(id);
    if (room->second.empty()) by_room_.erase(room);
  }
  by_expiry_.erase({r.expires_at_ms, id});
  bytes_ -= r.size;
  files_.erase(it);
  return true;
}

std::vector<std::string> file_catalog::remove_room(const std::string& room_id) {
  const auto room = by_room_.find(room_id);
  if (room == by_room_.end()) return {};
  std::vector<std::string> ids(room->second.begin(), room->second.end());
  for (const auto& id : ids)
    remove(id);
  return ids;
}

std::vector<std::string> file_catalog::remove_expired(std::int64_t now_ms) {
  std::vector<std::string> ids;
  while (!by_expiry_.empty() && by_expiry_.begin()->first <= now_ms) {
    ids.push_back(by_expiry_.begin()->second);
    remove(ids.back());
  }
  return ids;
}

std::optional<std::int64_t> file_catalog::next_expiry() const {
  if (by_expiry_.empty()) return std::nullopt;
  return by_expiry_.begin()->first;
}

}  // namespace hw::state::memory

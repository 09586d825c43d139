#include "app/pairs.hpp"

#include <algorithm>
#include <array>

namespace hw::app {

pair_registry::pair_registry(random& r, pairs_config cfg) : random_(r), cfg_(cfg) {}

std::string pair_registry::new_room_id() {
  std::array<std::uint8_t, 16> bytes{};
  random_.fill(bytes);
  static constexpr std::string_view hex = "0123456789abcdef";
  std::string id;
  id.reserve(32);
  for (const std::uint8_t b : bytes) {
    id += hex[b >> 4U];
    id += hex[b & 0x0FU];
  }
  return id;
}

create_result pair_registry::create(std::string_view a, std::string_view b, match_mode mode) {
  create_result r;
  if (a.empty() || b.empty()) {
    r.error = pair_error::invalid_guest;
    return r;
  }
  if (a == b) {
    r.error = pair_error::same_guest;
    return r;
  }
  if (room_of_.contains(std::string(a)) || room_of_.contains(std::string(b))) {
    r.error = pair_error::already_paired;
    return r;
  }
  // 128 random bits collide only with a broken random source; a few retries tell the two apart
  // without looping forever on a constant one.
  std::string id;
  for (int attempt = 0; attempt < 4 && (id.empty() || rooms_.contains(id)); ++attempt)
    id = new_room_id();
  if (rooms_.contains(id)) {
    r.error = pair_error::no_room_id;
    return r;
  }
  room rm{id, std::string(a), std::string(b), mode};
  room_of_[rm.a] = id;
  room_of_[rm.b] = id;
  remember_partner(rm.a, rm.b);
  remember_partner(rm.b, rm.a);
  rooms_.emplace(id, std::move(rm));
  r.room_id = std::move(id);
  return r;
}

void pair_registry::remember_partner(const std::string& guest, const std::string& partner) {
  if (cfg_.recent_partners == 0) return;
  auto& recent = memory_[guest].recent;
  const auto dup = std::find(recent.begin(), recent.end(), partner);
  if (dup != recent.end()) recent.erase(dup);
  recent.push_front(partner);
  while (recent.size() > cfg_.recent_partners)
    recent.pop_back();
}

std::optional<std::string> pair_registry::room_of(std::string_view guest) const {
  const auto it = room_of_.find(std::string(guest));
  if (it == room_of_.end()) return std::nullopt;
  return it->second;
}

std::optional<std::string> pair_registry::partner_of(std::string_view guest) const {
  const auto id = room_of(guest);
  if (!id) return std::nullopt;
  const room& rm = rooms_.at(*id);
  return rm.a == guest ? rm.b : rm.a;
}

const room* pair_registry::find(std::string_view room_id) const {
  const auto it = rooms_.find(std::string(room_id));
  return it == rooms_.end() ? nullptr : &it->second;
}

std::optional<room> pair_registry::end(std::string_view room_id) {
  const auto it = rooms_.find(std::string(room_id));
  if (it == rooms_.end()) return std::nullopt;
  room rm = std::move(it->second);
  rooms_.erase(it);
  room_of_.erase(rm.a);
  room_of_.erase(rm.b);
  return rm;
}

std::optional<room> pair_registry::leave(std::string_view guest) {
  const auto id = room_of(guest);
  if (!id) return std::nullopt;
  return end(*id);
}

std::vector<std::string> pair_registry::recent_partners(std::string_view guest) const {
  const auto it = memory_.find(std::string(guest));
  if (it == memory_.end()) return {};
  return {it->second.recent.begin(), it->second.recent.end()};
}

bool pair_registry::report(std::string_view reporter, std::string_view target) {
  if (reporter.empty() || target.empty() || reporter == target || cfg_.max_reported == 0)
    return false;
  memory& m = memory_[std::string(reporter)];
  if (!m.reported.insert(std::string(target)).second) return false;
  m.reported_order.emplace_back(target);
  while (m.reported_order.size() > cfg_.max_reported) {
    m.reported.erase(m.reported_order.front());
    m.reported_order.pop_front();
  }
  return true;
}

bool pair_registry::has_reported(std::string_view reporter, std::string_view target) const {
  const auto it = memory_.find(std::string(reporter));
  return it != memory_.end() && it->second.reported.contains(std::string(target));
}

void pair_registry::fill_exclusions(ticket& t) const {
  const auto it = memory_.find(t.guest_id);
  if (it == memory_.end()) return;
  t.recent_partners.insert(it->second.recent.begin(), it->second.recent.end());
  t.reported.insert(it->second.reported.begin(), it->second.reported.end());
}

void pair_registry::forget(std::string_view guest) {
  memory_.erase(std::string(guest));
}

}  // namespace hw::app

#include "app/files.hpp"

#include <algorithm>
#include <array>
#include <utility>

namespace hw::app {

namespace {

std::string mib_text(std::uint64_t bytes) {
  const auto mib = bytes >> 20U;
  if (mib > 0 && (bytes & ((1ULL << 20U) - 1)) == 0) return std::to_string(mib) + " MiB";
  return std::to_string(bytes) + " bytes";
}

}  // namespace

bool equal_secret(std::string_view a, std::string_view b) {
  if (a.size() != b.size()) return false;
  // Every byte is compared whatever the earlier ones were: the time taken says nothing about
  // how much of a guessed capability was right.
  unsigned diff = 0;
  for (std::size_t i = 0; i < a.size(); ++i)
    diff |=
        static_cast<unsigned>(static_cast<unsigned char>(a[i]) ^ static_cast<unsigned char>(b[i]));
  return diff == 0;
}

file_service::file_service(file_catalog& catalog, files_outbox& out, const clock& clk, random& rnd,
                           files_config cfg)
    : catalog_(catalog),
      out_(out),
      clock_(clk),
      random_(rnd),
      cfg_(cfg),
      uploads_(cfg.upload_limit, cfg.max_tracked_guests) {}

std::optional<upload_refusal> file_service::begin_upload(
    const std::string& guest, const std::string& room_id,
    std::optional<std::uint64_t> expected_bytes, upload_ticket& ticket) {
  if (room_id.empty()) return upload_refusal{error::not_in_chat, "files are shared in a chat"};
  if (expected_bytes && *expected_bytes > cfg_.max_file_bytes) {
    return upload_refusal{error::file_too_large,
                          "the file is larger than " + mib_text(cfg_.max_file_bytes)};
  }
  if (expected_bytes && *expected_bytes == 0) {
    return upload_refusal{error::invalid_payload, "the file is empty"};
  }
  std::int64_t retry = -1;
  if (!uploads_.try_take(guest, clock_.now(), retry)) {
    return upload_refusal{error::rate_limited, "too many uploads; slow down", retry};
  }
  const std::uint64_t want = expected_bytes.value_or(cfg_.max_file_bytes);
  auto& mine = in_flight_[guest];
  if (mine + want > cfg_.max_in_flight_per_guest) {
    if (mine == 0) in_flight_.erase(guest);
    return upload_refusal{error::rate_limited, "too many uploads at once", 1000};
  }
  if (in_flight_total_ + want > cfg_.max_in_flight_total) {
    if (mine == 0) in_flight_.erase(guest);
    return upload_refusal{error::server_busy, "too many uploads right now; try again soon", 1000};
  }
  mine += want;
  in_flight_total_ += want;
  ticket = upload_ticket{next_ticket_++, guest, room_id, want};
  return std::nullopt;
}

void file_service::end_upload(const upload_ticket& ticket) {
  const auto it = in_flight_.find(ticket.guest);
  if (it == in_flight_.end()) return;
  const auto r = std::min(ticket.reserved, it->second);
  it->second -= r;
  in_flight_total_ -= std::min(r, in_flight_total_);
  if (it->second == 0) in_flight_.erase(it);
}

std::string file_service::random_hex() {
  std::array<std::uint8_t, 16> bytes{};
  random_.fill(bytes);
  static constexpr char digits[] = "0123456789abcdef";
  std::string out;
  out.reserve(32);
  for (const auto b : bytes) {
    out.push_back(digits[b >> 4U]);
    out.push_back(digits[b & 0xFU]);
  }
  return out;
}

std::string file_service::new_file_id() {
  for (;;) {
    auto id = random_hex();
    if (!catalog_.get(id)) return id;
  }
}

std::optional<upload_refusal> file_service::add(const upload_ticket& ticket,
                                                const std::string& room_now,
                                                const std::string& partner,
                                                const std::string& file_id, upload_result r,
                                                file_record& out) {
  if (room_now.empty() || room_now != ticket.room_id) {
    return upload_refusal{error::not_in_chat, "the chat ended before the upload finished"};
  }
  if (catalog_.size() >= cfg_.max_files) {
    return upload_refusal{error::server_busy, "too many shared files right now", 1000};
  }
  file_record rec;
  rec.id = file_id;
  rec.room_id = ticket.room_id;
  rec.owner = ticket.guest;
  rec.partner = partner;
  rec.name = std::move(r.name);
  rec.size = r.size;
  rec.type = std::move(r.type);
  rec.duration = r.duration;
  rec.owner_cap = random_hex();
  rec.partner_cap = random_hex();
  rec.expires_at_ms = clock_.unix_ms() + cfg_.max_lifetime.count();
  if (!catalog_.put(rec)) return upload_refusal{error::server_busy, "file id in use; try again"};
  out = std::move(rec);
  return std::nullopt;
}

std::optional<std::pair<file_record, file_reader>> file_service::open(
    const std::string& file_id, std::string_view capability) const {
  auto rec = catalog_.get(file_id);
  if (!rec || rec->expires_at_ms <= clock_.unix_ms()) return std::nullopt;
  // Both compared, always: which one matched must not show in the time taken either.
  const bool owner = equal_secret(capability, rec->owner_cap);
  const bool partner = equal_secret(capability, rec->partner_cap);
  if (!owner && !partner) return std::nullopt;
  const auto who = owner ? file_reader::owner : file_reader::partner;
  return std::pair{std::move(*rec), who};
}

std::optional<file_record> file_service::attachable(const std::string& guest,
                                                    const std::string& room_id,
                                                    const std::string& file_id) const {
  auto rec = catalog_.get(file_id);
  if (!rec || rec->owner != guest || rec->room_id != room_id ||
      rec->expires_at_ms <= clock_.unix_ms()) {
    return std::nullopt;
  }
  return rec;
}

void file_service::room_closed(const std::string& room_id) {
  auto ids = catalog_.remove_room(room_id);
  if (!ids.empty()) out_.discard(ids, "chat_ended");
}

void file_service::tick() {
  auto ids = catalog_.remove_expired(clock_.unix_ms());
  if (!ids.empty()) out_.discard(ids, "expired");
}

std::optional<time_point> file_service::next_wakeup() const {
  const auto at = catalog_.next_expiry();
  if (!at) return std::nullopt;
  const auto wait = std::max<std::int64_t>(0, *at - clock_.unix_ms());
  return clock_.now() + std::chrono::milliseconds(wait);
}

}  // namespace hw::app

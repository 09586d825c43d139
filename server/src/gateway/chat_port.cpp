#include "gateway/chat_port.hpp"

#include <utility>

namespace hw::gateway {

chat_domain::chat_domain(app::chat_service& chat, core::registry* metrics) : chat_(chat) {
  if (metrics == nullptr) return;
  for (std::size_t i = 0; i < reports_total_.size(); ++i) {
    reports_total_.at(i) = &metrics->get_counter(
        "hallway_reports_total", "Reports accepted (a repeat of the same target counts once)",
        {{"reason", std::string(app::report_reason_names.at(i))}});
  }
}

app::chat_result<app::match_state> chat_domain::match(const std::string& guest, match_request r) {
  return chat_.match(guest, r.mode, std::move(r.interests), std::move(r.language),
                     r.interests_only);
}

app::chat_result<app::match_state> chat_domain::next(const std::string& guest, match_request r) {
  return chat_.next(guest, r.mode, std::move(r.interests), std::move(r.language), r.interests_only);
}

std::optional<std::chrono::milliseconds> chat_domain::fallback_in(const std::string& guest) const {
  return chat_.fallback_in(guest);
}

app::chat_result<app::match_state> chat_domain::cancel(const std::string& guest) {
  return chat_.cancel(guest);
}

app::chat_result<app::report_outcome> chat_domain::report(const std::string& guest,
                                                          const report_payload& r) {
  std::optional<std::string_view> note;
  if (r.note) note = *r.note;
  auto res = chat_.report(guest, r.reason, note);
  if (res.value && res.value->counted) {
    if (auto* total = reports_total_.at(static_cast<std::size_t>(res.value->reason))) total->inc();
  }
  return res;
}

app::chat_result<app::chat_message> chat_domain::send(const std::string& guest,
                                                      const message_payload& m) {
  if (m.type != app::message_type::text) return chat_.send_file(guest, m.id, m.type, m.file_id);
  return chat_.send(guest, m.id, m.text);
}

app::chat_result<app::none> chat_domain::delivered(const std::string& guest,
                                                   const delivered_payload& d) {
  return chat_.delivered(guest, d.ids);
}

app::chat_result<app::none> chat_domain::read(const std::string& guest, const read_payload& r) {
  return chat_.read(guest, r.up_to);
}

app::chat_result<app::none> chat_domain::typing(const std::string& guest, bool start) {
  return chat_.typing(guest, start);
}

app::chat_result<app::none> chat_domain::leave(const std::string& guest) {
  return chat_.leave(guest);
}

app::chat_result<app::stats_snapshot> chat_domain::query_stats(const std::string& guest) {
  return chat_.query_stats(guest);
}

app::chat_error chat_domain::unknown_event(const std::string& guest) {
  return chat_.unknown_event(guest);
}

app::chat_result<app::none> chat_domain::call_offer(const std::string& guest, offer_payload o) {
  return chat_.call_offer(guest, o.type, o.sdp);
}

app::chat_result<app::none> chat_domain::call_answer(const std::string& guest, answer_payload a) {
  return chat_.call_answer(guest, a.sdp);
}

app::chat_result<app::none> chat_domain::call_candidate(const std::string& guest,
                                                        app::ice_candidate c) {
  return chat_.call_candidate(guest, std::move(c));
}

app::chat_result<app::none> chat_domain::call_end(const std::string& guest) {
  return chat_.call_end(guest);
}

app::chat_result<app::none> chat_domain::call_reject(const std::string& guest) {
  return chat_.call_reject(guest);
}

app::chat_result<app::none> chat_domain::call_reveal(const std::string& guest, reveal_payload r) {
  return chat_.call_reveal(guest, r.reveal);
}

}  // namespace hw::gateway

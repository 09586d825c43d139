// chat_service's calls (webrtc:* events, docs/protocol.md §5): one call per chat, relayed only
// between its two guests, its state kept here so that it is never stuck.

#include "app/chat_service.hpp"
#include "app/sdp_privacy.hpp"

namespace hw::app {

std::string_view to_string(call_type t) {
  return t == call_type::video ? "video" : "audio";
}

std::optional<call_type> parse_call_type(std::string_view s) {
  if (s == "audio") return call_type::audio;
  if (s == "video") return call_type::video;
  return std::nullopt;
}

namespace {

using R = chat_result<none>;
constexpr std::string_view relay_only_message =
    "this call is relay-only: host and server-reflexive addresses are not relayed";

}  // namespace

chat_result<std::pair<std::string, std::string>> chat_service::call_context(
    const std::string& guest_id) {
  using C = chat_result<std::pair<std::string, std::string>>;
  state* s = find_active(guest_id);
  if (s == nullptr) return C::fail(error::not_connected);
  if (auto e = limited(*s, s->signals, true); !e.code.empty()) return {std::nullopt, e};
  auto room = pairs_.room_of(guest_id);
  auto partner = pairs_.partner_of(guest_id);
  if (!room || !partner) return C::fail(error::not_in_chat);
  return C::ok({std::move(*room), std::move(*partner)});
}

call_privacy chat_service::privacy_of(const std::string& room_id) const {
  const room* r = pairs_.find(room_id);
  const bool video = r != nullptr && r->mode == match_mode::video;
  return video ? cfg_.calls.privacy_video : cfg_.calls.privacy_text;
}

bool chat_service::is_polite(const std::string& guest_id) const {
  const auto it = guests_.find(guest_id);
  if (it == guests_.end() || !it->second.active || !it->second.active->room) return false;
  return it->second.active->room->polite;
}

chat_result<std::string> chat_service::relayable_sdp(const std::string& room_id,
                                                     std::string_view sdp, std::string_view field) {
  using S = chat_result<std::string>;
  if (sdp.empty() || sdp.size() > cfg_.calls.max_sdp) {
    return S::fail(error::invalid_payload,
                   "sdp must be 1 to " + std::to_string(cfg_.calls.max_sdp) + " bytes", field);
  }
  if (privacy_of(room_id) == call_privacy::direct) return S::ok(std::string(sdp));
  auto safe = relay_only_sdp(sdp);
  if (!safe) return S::fail(error::relay_only, relay_only_message, field);
  return S::ok(std::move(*safe));
}

chat_result<none> chat_service::call_offer(const std::string& guest_id, call_type type,
                                           std::string_view sdp) {
  auto ctx = call_context(guest_id);
  if (!ctx.value) return {std::nullopt, ctx.error};
  const auto& [room_id, partner] = *ctx.value;
  auto safe = relayable_sdp(room_id, sdp, "offer");
  if (!safe.value) return {std::nullopt, safe.error};
  auto it = calls_.find(room_id);
  const auto now = clock_.now();
  if (it == calls_.end()) {
    call_state c{call_state::phase::ringing, guest_id, partner, type,
                 now + cfg_.calls.ring_timeout};
    it = calls_.emplace(room_id, std::move(c)).first;
    arm(it->second.ring_deadline, timer_kind::ring, room_id);
    ++call_counts_.started;
    if (privacy_of(room_id) == call_privacy::relay) ++call_counts_.relay_only;
  } else if (it->second.at == call_state::phase::ringing && it->second.callee == guest_id) {
    // Glare: both offered. The impolite side's offer wins, the polite side answers it.
    if (is_polite(guest_id)) {
      return R::fail(error::busy, "the stranger is calling you: answer its offer");
    }
    it->second.caller = guest_id;
    it->second.callee = partner;
    it->second.type = type;
    it->second.ring_deadline = now + cfg_.calls.ring_timeout;
    arm(it->second.ring_deadline, timer_kind::ring, room_id);
  } else {
    // The caller offering again while it rings, or either side renegotiating an active call
    // (an ICE restart, video added).
    it->second.type = type;
  }
  call_signal sig{signal_kind::offer, guest_id, type, std::move(*safe.value), {}, false, {}};
  out_.call(partner, sig);
  return R::ok({});
}

chat_result<none> chat_service::call_answer(const std::string& guest_id, std::string_view sdp) {
  auto ctx = call_context(guest_id);
  if (!ctx.value) return {std::nullopt, ctx.error};
  const auto& [room_id, partner] = *ctx.value;
  const auto it = calls_.find(room_id);
  const bool ringing_for_me = it != calls_.end() && it->second.at == call_state::phase::ringing &&
                              it->second.callee == guest_id;
  if (it == calls_.end() || (it->second.at == call_state::phase::ringing && !ringing_for_me)) {
    return R::fail(error::no_call, "no call to answer");
  }
  auto safe = relayable_sdp(room_id, sdp, "answer");
  if (!safe.value) return {std::nullopt, safe.error};
  if (ringing_for_me) ++call_counts_.answered;
  it->second.at = call_state::phase::active;
  call_signal sig{
      signal_kind::answer, guest_id, it->second.type, std::move(*safe.value), {}, false, {}};
  out_.call(partner, sig);
  return R::ok({});
}

chat_result<none> chat_service::call_candidate(const std::string& guest_id, ice_candidate c) {
  auto ctx = call_context(guest_id);
  if (!ctx.value) return {std::nullopt, ctx.error};
  const auto& [room_id, partner] = *ctx.value;
  if (c.candidate.size() > cfg_.calls.max_candidate) {
    return R::fail(
        error::invalid_payload,
        "candidate must be at most " + std::to_string(cfg_.calls.max_candidate) + " bytes",
        "candidate");
  }
  if (!calls_.contains(room_id)) return R::fail(error::no_call, "no call in this chat");
  if (privacy_of(room_id) == call_privacy::relay) {
    auto safe = relay_only_candidate(c.candidate);
    if (!safe) return R::fail(error::relay_only, relay_only_message, "candidate");
    c.candidate = std::move(*safe);
  }
  call_signal sig{signal_kind::candidate, guest_id, call_type::audio, {}, std::move(c), false, {}};
  out_.call(partner, sig);
  return R::ok({});
}

chat_result<none> chat_service::call_end(const std::string& guest_id) {
  auto ctx = call_context(guest_id);
  if (!ctx.value) return {std::nullopt, ctx.error};
  const auto& [room_id, partner] = *ctx.value;
  if (calls_.erase(room_id) == 0) return R::fail(error::no_call, "no call in this chat");
  ++call_counts_.hangup;
  call_signal sig{signal_kind::end, guest_id, call_type::audio, {}, {}, false, "hangup"};
  out_.call(partner, sig);
  return R::ok({});
}

chat_result<none> chat_service::call_reject(const std::string& guest_id) {
  auto ctx = call_context(guest_id);
  if (!ctx.value) return {std::nullopt, ctx.error};
  const auto& [room_id, partner] = *ctx.value;
  const auto it = calls_.find(room_id);
  if (it == calls_.end() || it->second.at != call_state::phase::ringing ||
      it->second.callee != guest_id) {
    return R::fail(error::no_call, "no call ringing for you");
  }
  calls_.erase(it);
  ++call_counts_.rejected;
  call_signal sig{signal_kind::reject, guest_id, call_type::audio, {}, {}, false, {}};
  out_.call(partner, sig);
  return R::ok({});
}

chat_result<none> chat_service::call_reveal(const std::string& guest_id, bool reveal) {
  auto ctx = call_context(guest_id);
  if (!ctx.value) return {std::nullopt, ctx.error};
  const auto& [room_id, partner] = *ctx.value;
  if (!calls_.contains(room_id)) return R::fail(error::no_call, "no call in this chat");
  call_signal sig{signal_kind::reveal, guest_id, call_type::video, {}, {}, reveal, {}};
  out_.call(partner, sig);
  return R::ok({});
}

const call_state* chat_service::call_of(const std::string& guest_id) const {
  const auto room = pairs_.room_of(guest_id);
  if (!room) return nullptr;
  const auto it = calls_.find(*room);
  return it == calls_.end() ? nullptr : &it->second;
}

void chat_service::end_call(const std::string& room_id, signal_kind kind, std::string_view reason) {
  const auto it = calls_.find(room_id);
  if (it == calls_.end()) return;
  const call_state c = std::move(it->second);
  calls_.erase(it);
  ++(kind == signal_kind::timeout ? call_counts_.timeout : call_counts_.chat_ended);
  call_signal sig{kind, {}, c.type, {}, {}, false, std::string(reason)};
  for (const auto* g : {&c.caller, &c.callee}) {
    if (state* s = find(*g); s != nullptr && s->active) out_.call(*g, sig);
  }
}

}  // namespace hw::app

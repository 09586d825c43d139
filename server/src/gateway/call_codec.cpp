// The call events' codecs (webrtc:*, docs/protocol.md §5), apart from codec.cpp's chat ones:
// the payloads are checked for shape only; SDP and candidates stay opaque strings.

#include <utility>

#include "gateway/codec.hpp"
#include "gateway/events.hpp"

namespace hw::gateway {

namespace json = boost::json;

namespace {

template <class T>
decoded<T> refuse(std::string_view field, std::string_view message) {
  return {std::nullopt, invalid(field, message)};
}

/// `{type: <type>, sdp: string}` under `key`: the SDP, or the refusal naming `key`.
decoded<std::string> session_description(const json::object* o, std::string_view key,
                                         std::string_view type) {
  const auto* d = o != nullptr ? o->if_contains(key) : nullptr;
  const std::string message =
      std::string(key) + " must be {type:'" + std::string(type) + "', sdp: string}";
  if (d == nullptr || !d->is_object()) return refuse<std::string>(key, message);
  const auto* t = d->as_object().if_contains("type");
  const auto* sdp = d->as_object().if_contains("sdp");
  if (t == nullptr || !t->is_string() || t->as_string() != type || sdp == nullptr ||
      !sdp->is_string()) {
    return refuse<std::string>(key, message);
  }
  return {std::string(sdp->as_string()), {}};
}

/// An optional field of type string (or null).
bool optional_string(const json::object& o, std::string_view key, std::optional<std::string>& out) {
  const auto* v = o.if_contains(key);
  if (v == nullptr || v->is_null()) return true;
  if (!v->is_string()) return false;
  out = std::string(v->as_string());
  return true;
}

json::object session_json(std::string_view type, const std::string& sdp) {
  return json::object{{"type", type}, {"sdp", sdp}};
}

json::object candidate_json(const app::ice_candidate& c) {
  json::object o{{"candidate", c.candidate}};
  o["sdpMid"] = c.sdp_mid ? json::value(*c.sdp_mid) : json::value(nullptr);
  o["sdpMLineIndex"] = c.sdp_mline_index ? json::value(*c.sdp_mline_index) : json::value(nullptr);
  if (c.username_fragment) o["usernameFragment"] = *c.username_fragment;
  return o;
}

}  // namespace

decoded<offer_payload> decode_offer(const json::object* o) {
  auto sdp = session_description(o, "offer", "offer");
  if (!sdp.value) return {std::nullopt, std::move(sdp.error)};
  const auto* t = o->if_contains("callType");
  const auto type =
      t != nullptr && t->is_string() ? app::parse_call_type(t->as_string()) : std::nullopt;
  if (!type) return refuse<offer_payload>("callType", "callType must be 'audio' or 'video'");
  return {offer_payload{*type, std::move(*sdp.value)}, {}};
}

decoded<answer_payload> decode_answer(const json::object* o) {
  auto sdp = session_description(o, "answer", "answer");
  if (!sdp.value) return {std::nullopt, std::move(sdp.error)};
  return {answer_payload{std::move(*sdp.value)}, {}};
}

decoded<app::ice_candidate> decode_candidate(const json::object* o) {
  const auto* c = o != nullptr ? o->if_contains("candidate") : nullptr;
  constexpr std::string_view message =
      "candidate must be {candidate: string, sdpMid?, sdpMLineIndex?, usernameFragment?}";
  if (c == nullptr || !c->is_object()) return refuse<app::ice_candidate>("candidate", message);
  const auto& obj = c->as_object();
  const auto* line = obj.if_contains("candidate");
  if (line == nullptr || !line->is_string())
    return refuse<app::ice_candidate>("candidate", message);
  app::ice_candidate out;
  out.candidate = std::string(line->as_string());
  if (!optional_string(obj, "sdpMid", out.sdp_mid) ||
      !optional_string(obj, "usernameFragment", out.username_fragment)) {
    return refuse<app::ice_candidate>("candidate", message);
  }
  if (const auto* i = obj.if_contains("sdpMLineIndex"); i != nullptr && !i->is_null()) {
    if (!i->is_int64() || i->as_int64() < 0 || i->as_int64() > 1024) {
      return refuse<app::ice_candidate>("candidate", message);
    }
    out.sdp_mline_index = i->as_int64();
  }
  return {std::move(out), {}};
}

decoded<reveal_payload> decode_reveal(const json::object* o) {
  const auto* r = o != nullptr ? o->if_contains("reveal") : nullptr;
  if (r == nullptr || !r->is_bool())
    return refuse<reveal_payload>("reveal", "reveal must be a boolean");
  return {reveal_payload{r->as_bool()}, {}};
}

std::pair<std::string_view, json::object> encode_call(const app::call_signal& s) {
  json::object o;
  if (!s.from.empty()) o["from"] = s.from;
  switch (s.kind) {
    case app::signal_kind::offer:
      o["offer"] = session_json("offer", s.sdp);
      o["callType"] = app::to_string(s.type);
      return {events::webrtc_offer, std::move(o)};
    case app::signal_kind::answer:
      o["answer"] = session_json("answer", s.sdp);
      return {events::webrtc_answer, std::move(o)};
    case app::signal_kind::candidate:
      o["candidate"] = candidate_json(s.candidate);
      return {events::webrtc_candidate, std::move(o)};
    case app::signal_kind::reject:
      return {events::webrtc_reject, std::move(o)};
    case app::signal_kind::reveal:
      o["reveal"] = s.reveal;
      return {events::webrtc_reveal, std::move(o)};
    case app::signal_kind::timeout:
      return {events::webrtc_timeout, std::move(o)};
    case app::signal_kind::end:
      break;
  }
  o["reason"] = s.reason;
  return {events::webrtc_end, std::move(o)};
}

}  // namespace hw::gateway

#include "gateway/event_table.hpp"

#include <array>
#include <functional>
#include <type_traits>
#include <utility>

#include "gateway/events.hpp"

namespace hw::gateway {

namespace json = boost::json;

namespace {

// ---- handlers: a decoded payload in, a typed domain result out (no JSON here). Most events
// use a chat_port member directly; the small functions below adapt the others. -------------

search_reply searching(chat_port& chat, const std::string& guest, app::match_state s) {
  // When the client may show "anyone in N s"; null: it waits for a shared interest only.
  return {s, s == app::match_state::searching ? chat.fallback_in(guest) : std::nullopt};
}

app::chat_result<search_reply> on_match(chat_port& chat, const std::string& guest,
                                        match_request r) {
  auto res = chat.match(guest, std::move(r));
  if (!res.value) return {std::nullopt, std::move(res.error)};
  return {searching(chat, guest, *res.value), {}};
}

app::chat_result<search_reply> on_next(chat_port& chat, const std::string& guest, match_request r) {
  auto res = chat.next(guest, std::move(r));
  if (!res.value) return {std::nullopt, std::move(res.error)};
  return {searching(chat, guest, *res.value), {}};
}

app::chat_result<app::none> on_typing_start(chat_port& chat, const std::string& guest) {
  return chat.typing(guest, true);
}

app::chat_result<app::none> on_typing_stop(chat_port& chat, const std::string& guest) {
  return chat.typing(guest, false);
}

// ---- binding a decoder to a handler --------------------------------------------------------

template <class R>
constexpr ack_shape shape_of() {
  if constexpr (std::is_same_v<R, search_reply>) return ack_shape::search;
  if constexpr (std::is_same_v<R, app::match_state>) return ack_shape::state;
  if constexpr (std::is_same_v<R, app::chat_message>) return ack_shape::message;
  if constexpr (std::is_same_v<R, app::stats_snapshot>) return ack_shape::stats;
  return ack_shape::ok;
}

const json::object* first_object(const json::array& args) {
  return !args.empty() && args[0].is_object() ? &args[0].as_object() : nullptr;
}

/// A handler is a chat_port member or a function taking the port first (std::invoke calls
/// both alike); for an event without payload it may take the guest alone.
template <auto Handle, class Payload>
auto call(chat_port& chat, const std::string& guest, Payload&& p) {
  using H = decltype(Handle);
  if constexpr (std::is_invocable_v<H, chat_port&, const std::string&, Payload>) {
    return std::invoke(Handle, chat, guest, std::forward<Payload>(p));
  } else {
    static_assert(std::is_same_v<std::decay_t<Payload>, no_payload>, "handler/decoder mismatch");
    return std::invoke(Handle, chat, guest);
  }
}

template <auto Decode, auto Handle>
json::value run(chat_port& chat, const std::string& guest, const json::array& args) {
  auto payload = Decode(first_object(args));
  if (!payload.value) return encode_ack_error(payload.error);
  return encode_ack(call<Handle>(chat, guest, std::move(*payload.value)));
}

template <auto Decode, auto Handle>
constexpr event_row row(std::string_view name, rate_class limit) {
  using payload = typename decltype(Decode(nullptr).value)::value_type;
  using result = decltype(call<Handle>(std::declval<chat_port&>(), std::string(), payload{}));
  using value = typename decltype(std::declval<result>().value)::value_type;
  return {name, limit, shape_of<value>(), &run<Decode, Handle>};
}

// ---- the table -----------------------------------------------------------------------------

constexpr std::array table{
    row<decode_match, on_match>(events::user_match, rate_class::match),
    row<decode_nothing, &chat_port::cancel>(events::user_match_cancel, rate_class::control),
    row<decode_match, on_next>(events::user_next, rate_class::match),
    row<decode_report, &chat_port::report>(events::user_report, rate_class::control),
    row<decode_message, &chat_port::send>(events::chat_message, rate_class::message),
    row<decode_delivered, &chat_port::delivered>(events::chat_delivered, rate_class::receipt),
    row<decode_read, &chat_port::read>(events::chat_read, rate_class::receipt),
    row<decode_nothing, on_typing_start>(events::chat_typing_start, rate_class::typing),
    row<decode_nothing, on_typing_stop>(events::chat_typing_stop, rate_class::typing),
    row<decode_nothing, &chat_port::leave>(events::chat_leave_aliases[0], rate_class::control),
    row<decode_nothing, &chat_port::leave>(events::chat_leave_aliases[1], rate_class::control),
    row<decode_nothing, &chat_port::leave>(events::chat_leave_aliases[2], rate_class::control),
    row<decode_nothing, &chat_port::leave>(events::chat_leave_aliases[3], rate_class::control),
    row<decode_nothing, &chat_port::query_stats>(events::stats_get, rate_class::control),
    row<decode_offer, &chat_port::call_offer>(events::webrtc_offer, rate_class::signal),
    row<decode_answer, &chat_port::call_answer>(events::webrtc_answer, rate_class::signal),
    row<decode_candidate, &chat_port::call_candidate>(events::webrtc_candidate, rate_class::signal),
    row<decode_nothing, &chat_port::call_end>(events::webrtc_end, rate_class::signal),
    row<decode_nothing, &chat_port::call_reject>(events::webrtc_reject, rate_class::signal),
    row<decode_reveal, &chat_port::call_reveal>(events::webrtc_reveal, rate_class::signal),
};

}  // namespace

std::string_view to_string(rate_class c) {
  switch (c) {
    case rate_class::match:
      return "match";
    case rate_class::message:
      return "message";
    case rate_class::typing:
      return "typing";
    case rate_class::receipt:
      return "receipt";
    case rate_class::control:
      return "control";
    case rate_class::signal:
      return "signal";
  }
  return "control";
}

std::string_view to_string(ack_shape s) {
  switch (s) {
    case ack_shape::ok:
      return "ok";
    case ack_shape::state:
      return "state";
    case ack_shape::search:
      return "search";
    case ack_shape::message:
      return "message";
    case ack_shape::stats:
      return "stats";
  }
  return "ok";
}

std::span<const event_row> event_table() {
  return table;
}

const event_row* find_event(std::string_view name) {
  for (const auto& r : table) {
    if (r.name == name) return &r;
  }
  return nullptr;
}

json::value run_event(const event_row* row, chat_port& chat, const std::string& guest,
                      const json::array& args) {
  if (row == nullptr) return encode_ack_error(chat.unknown_event(guest));
  return row->run(chat, guest, args);
}

}  // namespace hw::gateway

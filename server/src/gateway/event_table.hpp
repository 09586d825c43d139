#pragma once
// The client → server events of namespace "/" declared as data, like Redis's command table: one
// row per event name with its payload decoder, rate-limit class, handler and ack shape. The
// realtime gateway registers one Socket.IO handler per row (a loop, no per-event code), and
// `hallway --list-events` prints the rows' names. Running a row needs no socket: it takes the
// event's arguments and a chat_port and returns the ack, which is what the unit tests drive.
//
// Adding an event: its name (events.hpp), a decoder (codec.*), a handler — a chat_port member
// (forwarded to app::chat_service by chat_domain) or a small function beside the table — a row
// in event_table.cpp, and a test (test/gateway/event_table_test.cpp).

#include <boost/json/array.hpp>
#include <boost/json/value.hpp>
#include <cstdint>
#include <span>
#include <string>
#include <string_view>

#include "gateway/chat_port.hpp"

namespace hw::gateway {

/// Which per-guest token bucket an event draws from (app::chat_config's *_limit, the
/// --*-rate flags). The domain takes the token itself, at the point its rules give (a retried
/// chat:message is not charged, a malformed payload never reaches it); the row states which
/// bucket that is, and a unit test pins the two together over the real domain.
enum class rate_class : std::uint8_t { match, message, typing, receipt, control, signal };
std::string_view to_string(rate_class c);

/// What a success ack carries besides `ok:true` (docs/protocol.md §3), derived from the
/// handler's result type.
enum class ack_shape : std::uint8_t {
  ok,       ///< `{ok}`
  state,    ///< `{ok, state}`
  search,   ///< `{ok, state, fallbackInMs?}` (fallbackInMs while searching)
  message,  ///< `{ok, id, timestamp}`
  stats,    ///< `{ok, online, searching, chatting}`
};
std::string_view to_string(ack_shape s);

/// One event. `run` decodes the first argument (an object, or none), calls the handler and
/// encodes its result: the ack to send. Decoder and handler are bound into `run` at compile
/// time (see event_table.cpp), so a row cannot pair a decoder with a handler of another type.
struct event_row {
  std::string_view name;
  rate_class limit;
  ack_shape ack;
  boost::json::value (*run)(chat_port& chat, const std::string& guest,
                            const boost::json::array& args);
};

/// Every client event, in the order --list-events prints them (the aliases of chat:leave are
/// rows of their own).
std::span<const event_row> event_table();
/// The row of `name`; null for a name the server does not know.
const event_row* find_event(std::string_view name);
/// The ack for one event from `guest`: the row's, or unknown_event for a null row.
boost::json::value run_event(const event_row* row, chat_port& chat, const std::string& guest,
                             const boost::json::array& args);

}  // namespace hw::gateway

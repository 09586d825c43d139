#pragma once
// The domain's error vocabulary: every refusal the chat domain, the realtime gateway (acks and
// CONNECT_ERROR) and the guest REST API put on the wire, declared once as rows of
// `error_table` — the enum value, its wire code, a default user message and the HTTP status
// where the error is also an HTTP answer. Code names an `error`; the wire string comes only
// from here (`code()`), so a typo is a compile error and docs/protocol.md can be checked
// against the table. Standard library only (app/ depends on nothing else).
//
// Transport-level refusals (connections, Engine.IO sessions, HTTP framing, static files) are
// not domain errors: they live in core/wire_errors.hpp, below every layer that answers them.
// Two of those share a wire code with a domain error (`rate_limited`, `server_busy`): the same
// word for the same kind of refusal at another layer; a unit test keeps their statuses equal.

#include <array>
#include <cstddef>
#include <cstdint>
#include <optional>
#include <string_view>

namespace hw::app {

/// A domain refusal. The order is the table's; append new values at the end of both.
enum class error : std::uint8_t {
  invalid_payload,        ///< a payload or field is not the documented shape (with `field`)
  rate_limited,           ///< a per-guest or per-address budget is spent (with a retry delay)
  not_in_chat,            ///< message, receipts, typing or report while not paired
  already_in_chat,        ///< user:match while paired
  queue_full,             ///< the matching queue is at its bound
  unknown_event,          ///< an event the server does not know
  not_connected,          ///< the guest has no live connection (or it was replaced)
  token_expired,          ///< the guest token's `exp` passed
  token_invalid,          ///< missing, malformed, badly signed or foreign token
  session_not_found,      ///< a good token whose guest session is gone
  too_many_guests,        ///< live guest sessions per client address at the bound
  server_busy,            ///< the guest session store is full (or uploads in flight, all guests)
  file_too_large,         ///< an upload over the file size limit
  file_type_not_allowed,  ///< an upload whose content is not an allowed type
  insufficient_storage,   ///< free disk space under its floor: no uploads for now
  file_not_found,         ///< no such file, or it expired, or its chat ended
  file_forbidden,         ///< a file of another chat
  no_call,                ///< a call event without a call in the state it needs
  busy,                   ///< an offer that loses a glare (the polite side's)
  relay_only,             ///< a relay-only call: an SDP or candidate revealing an address
};

/// One row of the table. `http_status` is 0 for errors only ever sent in a Socket.IO ack.
struct error_info {
  error id;
  std::string_view code;
  std::string_view message;
  int http_status;
};

inline constexpr std::array error_table{
    error_info{error::invalid_payload, "invalid_payload", "invalid payload", 400},
    error_info{error::rate_limited, "rate_limited", "too many requests; slow down", 429},
    error_info{error::not_in_chat, "not_in_chat", "you are not in a chat", 409},
    error_info{error::already_in_chat, "already_in_chat", "leave the current chat first", 0},
    error_info{error::queue_full, "queue_full", "too many guests are waiting", 0},
    error_info{error::unknown_event, "unknown_event", "no such event", 0},
    error_info{error::not_connected, "not_connected", "not connected", 0},
    error_info{error::token_expired, "token_expired", "the token has expired", 401},
    error_info{error::token_invalid, "token_invalid", "the token is not valid", 401},
    error_info{error::session_not_found, "session_not_found", "the guest session has ended", 401},
    error_info{error::too_many_guests, "too_many_guests", "too many live guests from your address",
               429},
    error_info{error::server_busy, "server_busy", "too many guests right now", 503},
    error_info{error::file_too_large, "file_too_large", "the file is larger than the limit", 413},
    error_info{error::file_type_not_allowed, "file_type_not_allowed",
               "this type of file cannot be shared", 415},
    error_info{error::insufficient_storage, "insufficient_storage",
               "the server is short of disk space; try again later", 507},
    error_info{error::file_not_found, "file_not_found",
               "no such file (it expired, or its chat ended)", 404},
    error_info{error::file_forbidden, "file_forbidden", "this file belongs to another chat", 403},
    error_info{error::no_call, "no_call", "there is no call in that state", 0},
    error_info{error::busy, "busy", "a call is already ringing", 0},
    error_info{error::relay_only, "relay_only", "only relay candidates may be sent in this call",
               0},
};

namespace detail {
constexpr bool table_in_enum_order() {
  for (std::size_t i = 0; i < error_table.size(); ++i) {
    if (static_cast<std::size_t>(error_table[i].id) != i) return false;
  }
  return true;
}
}  // namespace detail
// code()/message() index the table by the enum value: a row out of place is a build error.
static_assert(detail::table_in_enum_order(), "error_table rows must follow the enum's order");

constexpr const error_info& info(error e) {
  return error_table[static_cast<std::size_t>(e)];
}
/// The wire code ("not_in_chat").
constexpr std::string_view code(error e) {
  return info(e).code;
}
/// The default user-facing message (English); a call site may give a more precise one.
constexpr std::string_view message(error e) {
  return info(e).message;
}
/// The HTTP status when the error is an HTTP answer; 0 when it is sent only in acks.
constexpr int http_status(error e) {
  return info(e).http_status;
}
/// The error whose wire code is `wire_code`; nullopt for a code not in the table.
constexpr std::optional<error> parse_error(std::string_view wire_code) {
  for (const auto& row : error_table) {
    if (row.code == wire_code) return row.id;
  }
  return std::nullopt;
}

}  // namespace hw::app

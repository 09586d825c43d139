#pragma once
// Transport-level refusals: what net/, http/, engineio/ and socketio/ answer before any domain
// code runs (admission limits, HTTP framing, static files, Engine.IO sessions, the CONNECT
// packet), declared once as rows of `wire_error_table` — the enum value, its wire code (the
// `code` of the JSON error body), a default message and the HTTP status. Call sites name a
// `wire_error`; the wire string comes only from here.
//
// Domain refusals (acks, CONNECT_ERROR from the auth middleware, the guest REST API) are in
// app/errors.hpp: app/ is standard-library only and the transport layers never see the domain,
// so neither table includes the other. `rate_limited` and `server_busy` exist in both: the same
// word for the same kind of refusal at two layers (a unit test keeps their statuses equal).

#include <array>
#include <cstddef>
#include <cstdint>
#include <optional>
#include <string_view>

namespace hw::core {

/// A transport-level refusal. The order is the table's; append new values at the end of both.
enum class wire_error : std::uint8_t {
  not_found,             ///< no handler or file at this path
  method_not_allowed,    ///< the path exists, not for this method
  forbidden,             ///< a path that resolves outside the web root
  bad_path,              ///< a request path that cannot be served (encoding, dot segments)
  bad_request,           ///< malformed HTTP or WebSocket handshake
  internal_error,        ///< the server failed (a file could not be read)
  origin_not_allowed,    ///< a cross-origin API call from an origin not allowed
  header_too_large,      ///< the request header block is over its bound
  body_too_large,        ///< a non-realtime request body is over its bound
  upgrade_required,      ///< a WebSocket handshake of another version than 13
  payload_too_large,     ///< an Engine.IO body or Socket.IO CONNECT packet over its bound
  too_many_connections,  ///< open connections per client address at the bound
  too_many_sessions,     ///< live Engine.IO sessions per client address at the bound
  rate_limited,          ///< Engine.IO handshakes per client address over their rate
  server_busy,           ///< connections or Engine.IO sessions at the global bound
  shutting_down,         ///< the server is draining: no new handshakes or upgrades
};

/// One row of the table.
struct wire_error_info {
  wire_error id;
  std::string_view code;
  std::string_view message;
  unsigned http_status;
};

inline constexpr std::array wire_error_table{
    wire_error_info{wire_error::not_found, "not_found", "no such endpoint", 404},
    wire_error_info{wire_error::method_not_allowed, "method_not_allowed", "use GET", 405},
    wire_error_info{wire_error::forbidden, "forbidden", "This path leads outside the web root.",
                    403},
    wire_error_info{wire_error::bad_path, "bad_path", "Invalid request path.", 400},
    wire_error_info{wire_error::bad_request, "bad_request", "malformed HTTP request", 400},
    wire_error_info{wire_error::internal_error, "internal_error", "The file could not be served.",
                    500},
    wire_error_info{wire_error::origin_not_allowed, "origin_not_allowed",
                    "This origin may not call the API.", 403},
    wire_error_info{wire_error::header_too_large, "header_too_large",
                    "request header fields too large", 431},
    wire_error_info{wire_error::body_too_large, "body_too_large", "request body too large", 413},
    wire_error_info{wire_error::upgrade_required, "upgrade_required",
                    "WebSocket version 13 is required", 426},
    wire_error_info{wire_error::payload_too_large, "payload_too_large",
                    "Engine.IO payload too large", 413},
    wire_error_info{wire_error::too_many_connections, "too_many_connections",
                    "too many open connections from your address", 429},
    wire_error_info{wire_error::too_many_sessions, "too_many_sessions",
                    "too many realtime sessions from your address", 429},
    wire_error_info{wire_error::rate_limited, "rate_limited", "too many handshakes; retry later",
                    429},
    wire_error_info{wire_error::server_busy, "server_busy", "too many sessions", 503},
    wire_error_info{wire_error::shutting_down, "shutting_down", "the server is shutting down", 503},
};

namespace detail {
constexpr bool wire_table_in_enum_order() {
  for (std::size_t i = 0; i < wire_error_table.size(); ++i) {
    if (static_cast<std::size_t>(wire_error_table[i].id) != i) return false;
  }
  return true;
}
}  // namespace detail
// The accessors index the table by the enum value: a row out of place is a build error.
static_assert(detail::wire_table_in_enum_order(), "wire_error_table rows must follow the enum");

constexpr const wire_error_info& info(wire_error e) {
  return wire_error_table[static_cast<std::size_t>(e)];
}
/// The wire code ("too_many_sessions").
constexpr std::string_view code(wire_error e) {
  return info(e).code;
}
/// The default message (English); a call site may give a more precise one.
constexpr std::string_view message(wire_error e) {
  return info(e).message;
}
/// The HTTP status the refusal is answered with.
constexpr unsigned http_status(wire_error e) {
  return info(e).http_status;
}
/// The refusal whose wire code is `wire_code`; nullopt for a code not in the table.
constexpr std::optional<wire_error> parse_wire_error(std::string_view wire_code) {
  for (const auto& row : wire_error_table) {
    if (row.code == wire_code) return row.id;
  }
  return std::nullopt;
}

}  // namespace hw::core

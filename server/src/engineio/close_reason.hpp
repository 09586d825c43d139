#pragma once
// Why an Engine.IO session (or an upgrade probe) ended: one enum, with the name used in the log
// and in hallway_engineio_closes_total{reason}, and the text the layer above (the Socket.IO
// client's disconnect reason) has always received, as engine.io reports it.

#include <array>
#include <cstddef>
#include <cstdint>
#include <optional>
#include <string_view>

namespace hw::engineio {

enum class close_reason : std::uint8_t {
  transport_close,  ///< the connection went away (WebSocket closed, TCP dropped)
  client_close,     ///< the client sent a close packet ("1")
  transport_error,  ///< misuse of a transport: overlapping polls or POSTs, an oversized POST
  parse_error,      ///< a packet or payload that does not decode, or of an unknown type
  ping_timeout,     ///< no pong within pingInterval + pingTimeout
  slow_consumer,    ///< the polling outbox grew past its bound: the client stopped polling
  server_shutdown,  ///< the server drains
  upgrade_timeout,  ///< an upgrade probe that did not finish in time (only the probe ends)
  never_started,    ///< a handshake nobody followed with a transport
  forced_close,     ///< the layer above closed the session (its own text goes to the listener)
};

inline constexpr std::size_t close_reason_count = 10;

/// One row of the close_reasons table.
struct close_reason_info {
  close_reason reason;
  std::string_view name;  ///< log field and metric label: snake_case, stable
  std::string_view text;  ///< handed to listener::on_close (engine.io's wording)
};

/// One row per reason, in enum order.
extern const std::array<close_reason_info, close_reason_count> close_reasons;

[[nodiscard]] std::string_view name_of(close_reason r);
[[nodiscard]] std::string_view text_of(close_reason r);
/// The reason whose text is `text` ("ping timeout" → ping_timeout); none for any other text.
/// client_close shares "transport close" with transport_close and is never returned.
[[nodiscard]] std::optional<close_reason> reason_of_text(std::string_view text);

}  // namespace hw::engineio

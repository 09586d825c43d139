#include "engineio/close_reason.hpp"

namespace hw::engineio {

using enum close_reason;

// A client's close packet reads "transport close" above, as in engine.io (its polling and
// WebSocket transports both report a close packet as the transport closing); only the metric
// and the log tell the two apart.
const std::array<close_reason_info, close_reason_count> close_reasons{{
    {transport_close, "transport_close", "transport close"},
    {client_close, "client_close", "transport close"},
    {transport_error, "transport_error", "transport error"},
    {parse_error, "parse_error", "parse error"},
    {ping_timeout, "ping_timeout", "ping timeout"},
    {slow_consumer, "slow_consumer", "slow consumer"},
    {server_shutdown, "server_shutdown", "server shutting down"},
    {upgrade_timeout, "upgrade_timeout", "upgrade timeout"},
    {never_started, "never_started", "transport never started"},
    {forced_close, "forced_close", "forced close"},
}};

std::string_view name_of(close_reason r) {
  return close_reasons[static_cast<std::size_t>(r)].name;
}

std::string_view text_of(close_reason r) {
  return close_reasons[static_cast<std::size_t>(r)].text;
}

std::optional<close_reason> reason_of_text(std::string_view text) {
  for (const auto& row : close_reasons) {
    if (row.text == text) return row.reason;  // transport_close comes before client_close
  }
  return std::nullopt;
}

}  // namespace hw::engineio

#pragma once
// Engine.IO's WebSocket transport (engine.io lib/transports/websocket.ts): one Engine.IO packet
// per WebSocket message, over a net::ws_connection whose own queue is thread-safe and bounded,
// so the session sends through it from any thread (send_now) and keeps no outbox for it.

#include <memory>

#include "engineio/transport.hpp"

namespace hw::engineio {

/// The WebSocket transport of one session, or an upgrade probe. Strand-only, except send_now()
/// and hold_input(). engineio::server feeds it its connection's events (on_message, on_closed).
class websocket_transport final : public transport {
 public:
  explicit websocket_transport(std::shared_ptr<net::ws_connection> conn);

  [[nodiscard]] std::string_view name() const override { return "websocket"; }
  [[nodiscard]] bool can_upgrade() const override { return false; }
  [[nodiscard]] bool own_queue() const override { return true; }
  [[nodiscard]] bool writable() const override { return true; }

  void send(std::vector<frame> frames) override;
  net::send_result send_now(outgoing msg) override;
  void close(std::vector<frame> last) override;
  void close_with(std::uint16_t code, std::string_view text) override;
  input_hold hold_input() override;
  void abandon() override;

  /// A message from the client: a binary one is a binary Engine.IO message; a text one is
  /// decoded (parse_error to the owner when it does not decode).
  void on_message(std::string_view data, bool binary);
  /// The connection closed (transport_close to the owner).
  void on_closed();

 private:
  // Set once; reset only by abandon(), after the threads that call send_now() stopped.
  std::shared_ptr<net::ws_connection> conn_;
};

}  // namespace hw::engineio

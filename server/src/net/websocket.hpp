#pragma once
// The WebSocket interfaces between net/ and the realtime layers above it. Beast-free.

#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <string_view>

#include "http/message.hpp"

namespace hw::net {

enum class send_result : std::uint8_t { queued, dropped, closed };

/// A counted hold on a connection's input (ws_connection::hold_input): it counts until its
/// last copy is destroyed, on any thread. An empty one holds nothing.
using input_hold = std::shared_ptr<void>;

/// The server side of one WebSocket connection. Every call is thread-safe and non-blocking.
class ws_connection {
 public:
  virtual ~ws_connection() = default;
  /// Queues one message. The payload is shared, so a broadcast is encoded once for all
  /// recipients. A `droppable` (volatile) message is dropped while the send queue is
  /// congested; any message is refused once the connection is closing.
  virtual send_result send(std::shared_ptr<const std::string> payload, bool binary,
                           bool droppable) = 0;
  /// Sends a close frame with `code` and closes.
  virtual void close(std::uint16_t code, std::string_view reason) = 0;
  /// Bytes queued and not yet written.
  [[nodiscard]] virtual std::size_t queued_bytes() const = 0;
  /// Counts one received message as still being handled above (e.g. waiting for the app).
  /// While the endpoint's input_hold_limit() or more are held, no further frame is parsed and
  /// nothing more is read, so TCP pushes back on the client; reading resumes once at most half
  /// are held.
  virtual input_hold hold_input() = 0;
};

/// Receives one connection's events, in order, on that connection's strand.
class ws_endpoint {
 public:
  virtual ~ws_endpoint() = default;
  virtual void on_open(std::shared_ptr<ws_connection> conn) = 0;
  /// `data` is valid only during the call.
  virtual void on_message(std::string_view data, bool binary) = 0;
  /// Called once, last. `code` is the close code received or sent (1006 for a dropped TCP).
  virtual void on_close(std::uint16_t code) = 0;
  /// Held messages (ws_connection::hold_input) at which the connection stops reading.
  [[nodiscard]] virtual std::size_t input_hold_limit() const { return 64; }
};

/// The answer to an upgrade request: an endpoint to accept it, or the response refusing it.
struct upgrade_decision {
  std::shared_ptr<ws_endpoint> endpoint;
  http::response refusal;
  std::size_t max_message = 1'000'000;  ///< largest message accepted (1009 beyond)
};

/// Decides on a WebSocket upgrade request (Origin checks, routing). Called on the HTTP
/// connection's strand; must not block.
using upgrade_fn = std::function<upgrade_decision(const http::request&)>;

}  // namespace hw::net

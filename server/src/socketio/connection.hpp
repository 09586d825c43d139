#pragma once
// The Engine.IO connection as Socket.IO sees it: four calls, behind an interface so that the
// Socket.IO client, its sockets and their recovery are unit-tested over an in-memory connection
// (server/test/socketio/) without Engine.IO's transports, heartbeat or HTTP. In production each
// engineio::session is wrapped once, when its Socket.IO client is made.

#include <boost/asio/any_io_executor.hpp>
#include <memory>
#include <string>

#include "engineio/session.hpp"

namespace hw::socketio {

/// One client's Engine.IO connection. Every call is thread-safe and never blocks; the executor
/// is the connection's strand, on which the Socket.IO client runs.
class connection {
 public:
  virtual ~connection() = default;
  [[nodiscard]] virtual boost::asio::any_io_executor executor() const = 0;
  /// Queues Engine.IO messages (see to_engineio): dropped for a volatile message while the
  /// connection is congested, closed once it is closing.
  virtual net::send_result send(engineio::outgoing msg) = 0;
  /// Closes the connection; the listener's on_close follows with `reason`.
  virtual void close(std::string reason) = 0;
  /// Counts one received message as still being handled (input backpressure).
  virtual engineio::input_hold hold_input() = 0;
};

using connection_ptr = std::shared_ptr<connection>;

/// The production connection: an engineio::session, held for as long as the wrapper lives (the
/// Socket.IO client drops it on close, which breaks the session → listener → session cycle).
connection_ptr over_session(std::shared_ptr<engineio::session> s);

}  // namespace hw::socketio

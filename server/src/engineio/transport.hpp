#pragma once
// The interface between an Engine.IO session and the transports that carry its packets, as in
// engine.io (lib/transport.ts): a transport sends packets while it is writable, says when it
// becomes writable again (drain), hands up the packets it receives and reports its own end.
// The session keeps everything else: handshake, heartbeat, upgrade, outbox, close reasons.
// Implementations: polling_transport, websocket_transport; fakes in the unit tests.

#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "engineio/close_reason.hpp"
#include "net/websocket.hpp"
#include "protocol/engineio.hpp"

namespace hw::engineio {

/// One Engine.IO packet on its way out, shared so a broadcast is encoded once. A text frame is
/// the whole packet ("4hello", "2", "3probe"); a binary frame is the raw data of a binary
/// message. `droppable` (volatile) frames may be refused by a congested WebSocket queue.
struct frame {
  std::shared_ptr<const std::string> data;
  bool binary = false;
  bool droppable = false;
};

/// A text frame of one packet ("2", "6", "0{...}").
inline frame text_frame(std::string packet) {
  return {std::make_shared<const std::string>(std::move(packet))};
}

/// A message for the client: Engine.IO "4"-prefixed text plus binary attachments, shared so a
/// broadcast is encoded once.
struct outgoing {
  std::shared_ptr<const std::string> text;  ///< "4..." (an Engine.IO message), or null
  std::vector<std::shared_ptr<const std::string>> binaries;
  bool is_volatile = false;
};

using input_hold = net::input_hold;

class transport;

/// What a transport reports to its session, on the session's strand.
class transport_owner {
 public:
  /// A packet received; `p.data` is valid only during the call.
  virtual void on_packet(transport& from, const protocol::eio::packet_view& p) = 0;
  /// The transport became writable (a poll arrived): queued frames may go now.
  virtual void on_drain(transport& from) = 0;
  /// The transport ended by itself (the connection closed) or on a client error.
  virtual void on_transport_close(transport& from, close_reason why) = 0;

 protected:
  virtual ~transport_owner() = default;
};

/// One way of carrying a session's packets. Runs on the session's strand, except where a member
/// says it is thread-safe. Reports to its owner, which it holds weakly: a transport outliving its
/// session (a poll answered late, a WebSocket closing) reports to nobody.
class transport {
 public:
  virtual ~transport() = default;
  transport() = default;
  transport(const transport&) = delete;
  transport& operator=(const transport&) = delete;

  /// "polling" or "websocket" (log field).
  [[nodiscard]] virtual std::string_view name() const = 0;
  /// Whether the open packet offers an upgrade from this transport (polling → websocket).
  [[nodiscard]] virtual bool can_upgrade() const = 0;
  /// True for a transport with its own thread-safe, bounded queue (WebSocket): the session sends
  /// through send_now() from any thread and does not keep an outbox for it.
  [[nodiscard]] virtual bool own_queue() const = 0;
  /// Whether send() can take frames now (a WebSocket always; polling while a poll is held).
  [[nodiscard]] virtual bool writable() const = 0;

  void set_owner(std::weak_ptr<transport_owner> owner) { owner_ = std::move(owner); }
  /// Sends the frames (only while writable()). A poll is answered with them.
  virtual void send(std::vector<frame> frames) = 0;
  /// Thread-safe; only for own_queue() transports. Queues one message at once.
  virtual net::send_result send_now(outgoing msg) = 0;
  /// Ends the transport; a held poll is answered with `last` followed by a close packet.
  virtual void close(std::vector<frame> last) = 0;
  /// Ends the transport the client misused (an upgrade probe): a WebSocket closes with `code`
  /// and `text` in its close frame.
  virtual void close_with(std::uint16_t code, std::string_view text) = 0;
  /// Thread-safe. Counts one received message as still being handled above (see session).
  virtual input_hold hold_input() = 0;
  /// Drops every reference it holds without answering or closing anything (server teardown,
  /// after the I/O threads stopped).
  virtual void abandon() = 0;

 protected:
  [[nodiscard]] std::shared_ptr<transport_owner> owner() const { return owner_.lock(); }

 private:
  std::weak_ptr<transport_owner> owner_;
};

}  // namespace hw::engineio

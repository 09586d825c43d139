#pragma once
// One Engine.IO v4 session, as engine.io's lib/socket.ts: the handshake (open packet), the
// server-initiated heartbeat, the upgrade from polling to a WebSocket probe, a byte-bounded
// outbox and why the session closed. The packets travel over a `transport` (polling_transport,
// websocket_transport). All state lives on the session's strand; the public calls are
// thread-safe and never block.

#include <atomic>
#include <boost/asio/any_io_executor.hpp>
#include <boost/asio/steady_timer.hpp>
#include <chrono>
#include <functional>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "config/defaults.hpp"
#include "engineio/close_reason.hpp"
#include "engineio/transport.hpp"
#include "http/handler.hpp"

namespace hw::engineio {

class polling_transport;

using millis = std::chrono::milliseconds;

/// Defaults are the server's (config/defaults.hpp), written once there.
struct options {
  millis ping_interval = config::defaults::ping_interval;
  millis ping_timeout = config::defaults::ping_timeout;
  /// Bytes of one polling POST or WS message.
  std::size_t max_payload = config::defaults::max_payload;
  /// Polling outbox bound (WS: net's queue).
  std::size_t send_queue_bytes = config::defaults::send_queue_bytes;
  std::size_t max_sessions = config::defaults::max_connections;
  /// Messages of one session still being handled above (input_hold) at which its input is
  /// paused: the WebSocket is not read, a polling POST is not answered (nor read further).
  std::size_t input_hold_limit = 64;
  std::vector<std::string> allowed_origins;  ///< "*" = any (conformance)
  /// Per client address: live sessions (0 = no cap) and handshakes per second / burst (rate 0 =
  /// no limit). Answered 429 beyond.
  std::size_t max_sessions_per_client = config::defaults::max_sessions_per_ip;
  double handshake_rate = config::defaults::handshake_rate.per_second;
  double handshake_burst = config::defaults::handshake_rate.burst;
};

/// The layer above (a Socket.IO client) as seen by one session. Called on the session strand.
class listener {
 public:
  virtual ~listener() = default;
  virtual void on_message(std::string_view data, bool binary) = 0;
  /// Once, when the session ends; `reason` is text_of(close_reason), or the text given to close().
  virtual void on_close(std::string_view reason) = 0;
};

/// One client's Engine.IO session: owns its transports and its listener; the session table
/// (engineio::server) owns it until it ends. The transport_owner side is for its transports only.
class session final : public std::enable_shared_from_this<session>, public transport_owner {
 public:
  /// `on_gone` (strand): the session table forgets the sid. `on_closed` (strand, optional): the
  /// session ended, or an upgrade probe was given up (upgrade_timeout), for the metrics.
  session(boost::asio::any_io_executor strand, std::string id, const options& opts,
          std::function<void(const std::string&)> on_gone,
          std::function<void(close_reason)> on_closed = {});
  ~session() override;
  session(const session&) = delete;
  session& operator=(const session&) = delete;

  [[nodiscard]] const std::string& id() const { return id_; }
  [[nodiscard]] const boost::asio::any_io_executor& executor() const { return strand_; }

  /// Thread-safe. Returns dropped for a volatile message while the outbox is congested.
  net::send_result send(outgoing msg);
  /// Thread-safe: closes the session; the listener's on_close gets `reason`. A reason with the
  /// text of a close_reason ("parse error") counts as that one, any other as forced_close.
  void close(std::string reason);
  /// Thread-safe: closes the session for `why`.
  void close(close_reason why);
  /// Thread-safe. Counts one received message as still being handled above: while
  /// options::input_hold_limit are held the client is not read (backpressure), until at most
  /// half are. Released when the token (and its copies) is destroyed.
  input_hold hold_input();
  [[nodiscard]] std::size_t input_hold_limit() const { return opts_.input_hold_limit; }

  // Called by engineio::server, on the strand.
  /// Ends the session unless a transport starts within the ping timeout (a WebSocket whose
  /// upgrade was refused after the session was made, a handshake nobody follows up).
  void watch_start();
  /// Opens the session on a polling transport; the open packet waits for the first poll (the
  /// handshake GET, which the server hands to on_poll right after).
  void start_polling(std::shared_ptr<listener> l);
  /// Opens the session on `t` (a WebSocket): the open packet goes out at once.
  void start(std::shared_ptr<transport> t, std::shared_ptr<listener> l);
  /// Shims of the API before the transport split, kept for code that drives a session by hand
  /// (socketio's unit tests): start() on a websocket_transport over `ws`, and that transport's
  /// message and close events, delivered on the current transport.
  void start_websocket(std::shared_ptr<net::ws_connection> ws, std::shared_ptr<listener> l);
  void on_ws_message(std::string_view data, bool binary);
  void on_ws_closed();
  void on_poll(http::respond_fn respond, http::response base);
  void on_post(std::string_view body, const http::respond_fn& respond, http::response base);
  // Upgrade (probe) from polling to a second, WebSocket connection. One probe at a time, as
  // the reference server: try_claim_websocket() (any thread) reserves the session for it.
  [[nodiscard]] bool try_claim_websocket();
  void release_websocket_claim();
  /// The claimed WebSocket opened: it must send "2probe", then "5", in time.
  void on_probe_open(std::shared_ptr<transport> t);

  [[nodiscard]] std::string open_packet(bool can_upgrade) const;
  /// Drops every reference the session holds (listener, transports, pending poll) without
  /// callbacks. Only when the I/O threads have stopped (server teardown): it breaks the
  /// session ↔ listener ownership cycle of sessions still open at exit.
  void abandon();

 private:
  // transport_owner
  void on_packet(transport& from, const protocol::eio::packet_view& p) override;
  void on_drain(transport& from) override;
  void on_transport_close(transport& from, close_reason why) override;

  void attach(const std::shared_ptr<transport>& t);
  void handle_packet(const protocol::eio::packet_view& p);
  void on_client_close();
  // Outbox: frames waiting for a transport that takes them only at times (polling).
  void enqueue(outgoing msg);
  void enqueue_packet(std::string packet);
  void push(frame f);
  void flush();
  [[nodiscard]] std::vector<frame> take_outbox();
  [[nodiscard]] bool buffered() const;  ///< the current transport sends through the outbox
  void send_noop();
  // Heartbeat.
  void schedule_ping();
  /// True once the pong for the current heartbeat is overdue, even if its timer has not run
  /// yet: a request arriving after the deadline never finds the session alive.
  [[nodiscard]] bool pong_overdue() const;
  void time_out();
  // Upgrade.
  void on_probe_packet(const protocol::eio::packet_view& p);
  void finish_upgrade();
  void arm_probe_timer(millis after);
  /// Forgets the probe (the session can be probed again at once) and closes it.
  void drop_probe(std::uint16_t code, std::string_view text);
  void hold_poll_for_upgrade();
  // Close.
  void await_last_poll();
  void release_sid();  ///< the table forgets the sid (once)
  void end(close_reason why, std::string_view text = {});
  void report(close_reason why) const;

  boost::asio::any_io_executor strand_;
  std::string id_;
  const options& opts_;
  std::function<void(const std::string&)> on_gone_;
  std::function<void(close_reason)> on_closed_;
  std::shared_ptr<listener> listener_;
  std::shared_ptr<transport> transport_;  // the one the session sends on
  // Kept after an upgrade (a held POST). Set before the listener can hand the session out, so
  // hold_input() may read it from another thread.
  std::shared_ptr<polling_transport> polling_;
  std::atomic<transport*> direct_{nullptr};  // transport_ once own_queue(): send()
  std::shared_ptr<transport> probe_;         // a WebSocket probing an upgrade
  bool upgrading_ = false;                   // the probe answered "3probe"
  std::vector<frame> outbox_;
  std::size_t outbox_size_ = 0;               // its size as a polling payload
  std::atomic<std::size_t> outbox_bytes_{0};  // the same, for send() on other threads
  boost::asio::steady_timer heartbeat_;
  boost::asio::steady_timer probe_timer_;  // a probe must upgrade in time
  boost::asio::steady_timer noop_timer_;   // a poll held during an upgrade gets a noop
  std::chrono::steady_clock::time_point pong_due_ = std::chrono::steady_clock::time_point::max();
  bool started_ = false;
  bool timed_out_ = false;        // ended by the heartbeat: later polls get "Session ID unknown"
  bool close_requested_ = false;  // the client sent "1" with no poll waiting (polling)
  bool sid_released_ = false;
  bool awaiting_pong_ = false;
  bool closed_ = false;
  std::atomic<bool> closing_{false};
  std::atomic<bool> ws_claimed_{false};  // a WebSocket carries or probes this session
};

}  // namespace hw::engineio

#pragma once
// One Engine.IO v4 session: its transport (HTTP long-polling or WebSocket), the upgrade between
// them, the server-initiated heartbeat, and a byte-bounded outbox. All state lives on the
// session's strand; the public calls are thread-safe and never block.

#include <atomic>
#include <boost/asio/any_io_executor.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/strand.hpp>
#include <chrono>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "config/defaults.hpp"
#include "http/handler.hpp"
#include "net/websocket.hpp"
#include "protocol/engineio.hpp"

namespace hw::engineio {

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

/// A message for the client: Engine.IO "4"-prefixed text plus binary attachments, shared so a
/// broadcast is encoded once.
struct outgoing {
  std::shared_ptr<const std::string> text;  ///< "4..." (an Engine.IO message), or null
  std::vector<std::shared_ptr<const std::string>> binaries;
  bool is_volatile = false;
};

using input_hold = net::input_hold;

/// The layer above (a Socket.IO client) as seen by one session. Called on the session strand.
class listener {
 public:
  virtual ~listener() = default;
  virtual void on_message(std::string_view data, bool binary) = 0;
  virtual void on_close(std::string_view reason) = 0;
};

class session : public std::enable_shared_from_this<session> {
 public:
  enum class transport { polling, websocket };

  session(boost::asio::any_io_executor strand, std::string id, const options& opts,
          std::function<void(const std::string&)> on_gone);
  ~session();
  session(const session&) = delete;
  session& operator=(const session&) = delete;

  [[nodiscard]] const std::string& id() const { return id_; }
  [[nodiscard]] const boost::asio::any_io_executor& executor() const { return strand_; }

  /// Thread-safe. Returns dropped for a volatile message while the outbox is congested.
  net::send_result send(outgoing msg);
  /// Thread-safe: closes the session (the listener's on_close runs with `reason`).
  void close(std::string reason);
  /// Thread-safe. Counts one received message as still being handled above: while
  /// options::input_hold_limit are held the client is not read (backpressure), until at most
  /// half are. Released when the token (and its copies) is destroyed.
  input_hold hold_input();
  [[nodiscard]] std::size_t input_hold_limit() const { return opts_.input_hold_limit; }

  // Called by engineio::server, on the strand.
  /// Ends the session unless a transport starts within the ping timeout (a WebSocket whose
  /// upgrade was refused after the session was made, a handshake nobody follows up).
  void watch_start();
  void start_polling(std::shared_ptr<listener> l);
  void start_websocket(std::shared_ptr<net::ws_connection> ws, std::shared_ptr<listener> l);
  void on_poll(http::respond_fn respond, http::response base);
  void on_post(std::string_view body, const http::respond_fn& respond, http::response base);
  void on_ws_message(std::string_view data, bool binary);
  void on_ws_closed();
  // Upgrade (probe) from polling to a second, WebSocket connection. One probe at a time, as
  // the reference server: try_claim_websocket() (any thread) reserves the session for it.
  [[nodiscard]] bool try_claim_websocket();
  void release_websocket_claim();
  void on_probe_open(const std::shared_ptr<net::ws_connection>& ws);
  void on_probe_message(const std::shared_ptr<net::ws_connection>& ws, std::string_view data);
  void on_probe_closed(const std::shared_ptr<net::ws_connection>& ws);

  [[nodiscard]] std::string open_packet(bool can_upgrade) const;
  /// Drops every reference the session holds (listener, connections, pending poll) without
  /// callbacks. Only when the I/O threads have stopped (server teardown): it breaks the
  /// session ↔ listener ownership cycle of sessions still open at exit.
  void abandon();

 private:
  void handle_packet(char type, std::string_view data, bool binary);
  void enqueue(const outgoing& msg);
  void enqueue_packet(char type, std::string_view data);
  void flush_poll();
  [[nodiscard]] std::string take_outbox_and_close();
  void schedule_ping();
  /// True once the pong for the current heartbeat is overdue, even if its timer has not run
  /// yet: a request arriving after the deadline never finds the session alive.
  [[nodiscard]] bool pong_overdue() const;
  void time_out();
  void arm_probe_timer(const std::shared_ptr<net::ws_connection>& ws, millis after);
  /// Forgets the probe (the session can be probed again at once) and closes it.
  void drop_probe(std::uint16_t code, std::string_view reason);
  void hold_poll_for_upgrade();
  void await_last_poll();
  void release_sid();  ///< the table forgets the sid (once)
  void respond_pending(std::string body);
  void end(std::string_view reason);
  // Polling input backpressure: a POST's packets are handled until too many are held; the rest
  // and the POST's answer wait (so the client cannot send the next POST) until released.
  void run_post();
  bool post_input_full();
  void release_post_input();

  boost::asio::any_io_executor strand_;
  std::string id_;
  const options& opts_;
  std::function<void(const std::string&)> on_gone_;
  std::shared_ptr<listener> listener_;
  transport transport_ = transport::polling;
  std::shared_ptr<net::ws_connection> ws_;  // set once, never reset while the session lives
  std::atomic<net::ws_connection*> ws_view_{nullptr};  // for send() on other threads
  std::shared_ptr<net::ws_connection> probe_;
  bool upgrading_ = false;
  // Polling outbox: a ready-to-send payload body (packets joined by \x1e) and its packet count.
  std::string outbox_;
  std::size_t outbox_packets_ = 0;
  std::atomic<std::size_t> outbox_bytes_{0};
  http::respond_fn pending_get_;
  http::response pending_base_;
  boost::asio::steady_timer heartbeat_;
  boost::asio::steady_timer probe_timer_;  // a probe must upgrade in time
  boost::asio::steady_timer noop_timer_;   // a poll held during an upgrade gets a noop
  std::chrono::steady_clock::time_point pong_due_ = std::chrono::steady_clock::time_point::max();
  bool started_ = false;
  bool timed_out_ = false;        // ended by the heartbeat: later polls get "Session ID unknown"
  bool close_requested_ = false;  // the client sent "1" with no poll waiting (polling)
  bool sid_released_ = false;
  struct held_post {
    std::vector<protocol::eio::packet> packets;
    std::size_t next = 0;
    http::respond_fn respond;
    http::response base;
  };
  std::optional<held_post> post_;  // the POST being handled (strand)
  std::atomic<std::size_t> post_held_{0};
  std::atomic<bool> post_paused_{false};
  bool awaiting_pong_ = false;
  bool closed_ = false;
  std::atomic<bool> closing_{false};
  std::atomic<bool> ws_claimed_{false};  // a WebSocket carries or probes this session
};

}  // namespace hw::engineio

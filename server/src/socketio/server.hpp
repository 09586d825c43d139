#pragma once
// Socket.IO v5 on top of Engine.IO: namespaces with auth middleware, sockets, events with acks
// in both directions (with timeouts), binary attachments, rooms through an adapter, volatile
// emits, and connection state recovery (socket.io's pid + offset scheme).

#include <boost/asio/io_context.hpp>
#include <boost/json/array.hpp>
#include <boost/json/object.hpp>
#include <chrono>
#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <unordered_map>
#include <vector>

#include "config/defaults.hpp"
#include "engineio/server.hpp"
#include "socketio/adapter.hpp"

namespace hw::socketio {

using millis = std::chrono::milliseconds;
class socket;
using socket_ptr = std::shared_ptr<socket>;
using attachments = std::vector<std::shared_ptr<const std::string>>;

/// Defaults of configurable values are the server's (config/defaults.hpp), written once there.
struct options {
  /// Time to CONNECT a namespace after the handshake.
  millis connect_timeout = config::defaults::connect_timeout;
  millis recovery_window = config::defaults::recovery_window;  ///< 0 disables recovery
  std::size_t recovery_packets = 1000;      ///< per-socket replay buffer bound (packets)
  std::size_t recovery_bytes = 1UL << 20U;  ///< and in bytes
  std::size_t max_attachments = 10;
  /// Sum of one binary packet's attachments (0: the Engine.IO max_payload).
  std::size_t max_attachment_bytes = 0;
  /// Time a binary packet has to receive all its attachments (0: the Engine.IO ping timeout).
  millis attachment_timeout{0};
  /// Largest CONNECT packet (its auth payload): beyond, CONNECT_ERROR and nothing is parsed.
  std::size_t max_connect_bytes = config::defaults::max_connect_bytes;
  /// Bytes all sockets waiting for recovery may hold together; the oldest go first beyond.
  std::size_t recovery_total_bytes = config::defaults::recovery_total_bytes;
};

/// An incoming event's arguments (placeholders for binary refer to `bin` by index).
struct event_args {
  boost::json::array args;
  attachments bin;
};

/// Answers the client's ack callback; call at most once (later calls are ignored).
using ack_fn = std::function<void(event_args reply)>;
using event_handler = std::function<void(const socket_ptr&, event_args&, ack_fn)>;
/// Middleware result: nullopt accepts; an object refuses (sent as CONNECT_ERROR payload).
using next_fn = std::function<void(std::optional<boost::json::object>)>;
using middleware = std::function<void(const socket_ptr&, const boost::json::object& auth, next_fn)>;

struct emit_options {
  bool is_volatile = false;
  /// Server→client ack: called with the client's reply, or with nullopt on timeout/disconnect.
  std::function<void(std::optional<event_args>)> ack;
  millis ack_timeout{10'000};
};

class server;

class namespace_ {
 public:
  namespace_(server& srv, std::string name);
  [[nodiscard]] const std::string& name() const { return name_; }
  void use(middleware m) { middlewares_.push_back(std::move(m)); }
  void on_connection(std::function<void(const socket_ptr&)> f) { on_connection_ = std::move(f); }
  void on_disconnect(std::function<void(const socket_ptr&, std::string_view reason)> f) {
    on_disconnect_ = std::move(f);
  }
  void on(std::string event, event_handler h) { handlers_[std::move(event)] = std::move(h); }
  /// Called for events that have no handler (e.g. to answer their ack with an error).
  void on_unknown(event_handler h) { unknown_ = std::move(h); }
  /// Emits to room members (all sockets when rooms is empty).
  std::size_t emit(const broadcast_options& to, std::string_view event, const event_args& args,
                   bool is_volatile = false);
  adapter& rooms() { return *adapter_; }

 private:
  friend class client;
  friend class socket;
  server& srv_;
  std::string name_;
  std::unique_ptr<adapter> adapter_;
  std::vector<middleware> middlewares_;
  std::function<void(const socket_ptr&)> on_connection_;
  std::function<void(const socket_ptr&, std::string_view)> on_disconnect_;
  std::map<std::string, event_handler, std::less<>> handlers_;
  event_handler unknown_;
};

class server {
 public:
  server(boost::asio::io_context& ioc, engineio::options eio, options opts,
         core::registry* metrics = nullptr);
  ~server();
  /// The namespace, created on first use. Namespaces are set up before serving.
  namespace_& of(const std::string& name);
  [[nodiscard]] namespace_* find(std::string_view name);
  engineio::server& engine() { return *engine_; }
  [[nodiscard]] const options& opts() const { return opts_; }

  // Connection state recovery (internal to socketio/). Thread-safe. The map is bounded in
  // bytes (options::recovery_total_bytes): keeping or growing a socket beyond the budget ends
  // the sockets that wait longest (they leave their rooms; the client starts afresh).
  std::uint64_t next_offset() { return ++offset_; }
  /// False when the socket was disconnected meanwhile (it is not kept).
  bool keep_for_recovery(const socket_ptr& s);
  socket_ptr take_recoverable(const std::string& pid);
  void forget_recoverable(const std::string& pid);
  /// Removes `s` if it is the socket kept under its pid; true when it was.
  bool drop_recoverable(const socket* s);
  /// A kept socket buffered (or evicted) `delta` bytes while away.
  void recovery_grew(const socket* s, std::int64_t delta);
  [[nodiscard]] std::size_t recoverable_count() const;
  [[nodiscard]] std::size_t recovery_bytes() const;
  /// hallway_socketio_sockets (socket objects alive) and hallway_socketio_live_buffer_bytes
  /// (replay bytes of sockets that have a transport); null without a registry. Updated by the
  /// sockets themselves.
  [[nodiscard]] core::gauge* sockets_gauge() const { return sockets_gauge_; }
  [[nodiscard]] core::gauge* live_bytes_gauge() const { return live_bytes_gauge_; }

 private:
  struct away_entry {
    socket_ptr sock;
    std::size_t bytes = 0;    ///< charged against the budget
    std::uint64_t order = 0;  ///< insertion sequence: the oldest is evicted first
  };
  /// Removes entries, oldest first, while over the budget. Under recovery_mutex_; the evicted
  /// sockets are ended (end_evicted) by the caller outside the lock.
  void evict_over_budget(std::vector<socket_ptr>& evicted);
  void erase_away(std::unordered_map<std::string, away_entry>::iterator it);
  void update_gauges();
  static void end_evicted(const std::vector<socket_ptr>& evicted);

  boost::asio::io_context& ioc_;
  options opts_;
  std::unique_ptr<engineio::server> engine_;
  std::map<std::string, std::unique_ptr<namespace_>, std::less<>> namespaces_;
  std::atomic<std::uint64_t> offset_{0};
  mutable std::mutex recovery_mutex_;
  std::unordered_map<std::string, away_entry> away_;  // pid → socket waiting to be recovered
  std::map<std::uint64_t, std::string> away_order_;   // order → pid, oldest first
  std::uint64_t away_seq_ = 0;
  std::size_t away_bytes_ = 0;
  core::gauge* away_gauge_ = nullptr;
  core::gauge* away_bytes_gauge_ = nullptr;
  core::gauge* sockets_gauge_ = nullptr;
  core::gauge* live_bytes_gauge_ = nullptr;
};

}  // namespace hw::socketio

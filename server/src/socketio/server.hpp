#pragma once
// Socket.IO v5 on top of Engine.IO: namespaces with auth middleware, sockets, events with acks
// in both directions (with timeouts), binary attachments, rooms through an adapter, volatile
// emits, and connection state recovery (socket.io's pid + offset scheme).

#include <atomic>
#include <boost/asio/io_context.hpp>
#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <unordered_map>
#include <vector>

#include "config/defaults.hpp"
#include "engineio/server.hpp"
#include "socketio/namespace.hpp"

namespace hw::socketio {

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

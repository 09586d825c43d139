#pragma once
// One Socket.IO socket: a client's connection to one namespace. Survives a transport drop for
// the recovery window (it keeps its id, rooms and a bounded replay buffer) so a client that
// comes back gets every packet it missed, once and before any new one (resume()). The replay
// buffer is bounded in packets, bytes and age (one recovery window); when the socket ends for
// good (finish()) it is freed, whoever still holds the object.

#include <boost/asio/steady_timer.hpp>
#include <chrono>
#include <deque>
#include <map>
#include <mutex>

#include "socketio/connection.hpp"
#include "socketio/server.hpp"

namespace hw::socketio {

class client;

class socket : public std::enable_shared_from_this<socket> {
 public:
  socket(namespace_& nsp, std::string id, std::string pid, boost::json::object auth);
  ~socket();
  socket(const socket&) = delete;
  socket& operator=(const socket&) = delete;

  [[nodiscard]] const std::string& id() const { return id_; }
  [[nodiscard]] const std::string& pid() const { return pid_; }
  /// True when this connection recovered the socket (read on any strand: it takes the lock).
  [[nodiscard]] bool recovered() const;
  /// The CONNECT payload, until the namespace's on_connection handler has run; empty afterwards
  /// (a socket keeps only what it uses: the auth of a connected or recoverable socket would be
  /// memory a client chooses the size of). Read on the socket's strand only.
  [[nodiscard]] const boost::json::object& auth() const { return auth_; }
  /// Application data bound to the socket (socket.io's `socket.data`): written by middleware
  /// before the socket is connected, read afterwards on the socket's strand.
  boost::json::object& data() { return data_; }
  namespace_& nsp() { return nsp_; }

  /// Sends an event to this client (thread-safe). True when it was handed to a live transport;
  /// false when a volatile event was dropped (congested connection), the connection is closing,
  /// or the socket has none (a recoverable event is still buffered for recovery then).
  bool emit(std::string_view event, const event_args& args, emit_options opts = {});
  /// Counts one received event as still being handled (thread-safe): while too many are, the
  /// connection is not read. Released when the token is destroyed; empty when disconnected.
  engineio::input_hold hold_input();
  void join(const std::string& room);
  void leave(const std::string& room);
  [[nodiscard]] std::vector<std::string> rooms() const;
  /// Server-side disconnect: sends DISCONNECT; no recovery. Also ends a socket that is waiting
  /// for recovery (its transport is gone): it leaves the recovery map and its rooms at once.
  void disconnect();
  [[nodiscard]] bool connected() const;

  // Internal (socketio/).
  /// Binds a new socket to its connection. False (and nothing changes) once it was disconnected.
  bool attach(const connection_ptr& conn, const std::shared_ptr<client>& owner);
  enum class resume_result : std::uint8_t {
    resumed,      ///< CONNECT sent, then every missed packet, then what was emitted meanwhile
    ended,        ///< disconnected meanwhile: nothing changed, nothing sent
    missed_more,  ///< attached and CONNECT sent, but packets it missed were evicted: end it
  };
  /// Recovery: binds a socket that waited for its client to `conn`, sends the CONNECT answer
  /// (same id and pid) and replays what the client missed after `offset` (0: everything kept).
  /// Packets emitted while this runs are held and sent after the replay, so the client gets
  /// every packet once and in order: a new packet never overtakes a missed one, and the
  /// client's recovery offset (its last packet's) never skips one it has not received.
  resume_result resume(const connection_ptr& conn, const std::shared_ptr<client>& owner,
                       std::uint64_t offset);
  /// Transport lost. Returns true when the socket waits for recovery (not after disconnect()).
  /// Packets older than one recovery window are dropped from the replay buffer here.
  bool detach();
  /// Ends the socket for good (dropped, disconnected, recovery expired, evicted or failed):
  /// never attached or buffered again; its replay buffer, pending acks (answered with nullopt)
  /// and expiry timer are freed now, so a socket_ptr kept elsewhere holds only its ids and
  /// data(). Idempotent. Call it once the socket has left the recovery map.
  void finish();
  /// Has a recovery pid and was not disconnected by the server.
  [[nodiscard]] bool recoverable() const;
  /// Drops the CONNECT payload once the connection handler has read it.
  void release_auth() { boost::json::object().swap(auth_); }
  /// Bytes this socket holds for recovery (replay buffer plus a fixed estimate of its own size).
  [[nodiscard]] std::size_t recovery_bytes() const;
  /// Packets held in the replay buffer (tests and diagnostics).
  [[nodiscard]] std::size_t buffered_packets() const;
  /// Sends one encoded packet (buffered for recovery when `offset` is non-zero). True when it
  /// was handed to a live transport (or held for it while a recovery replays).
  bool deliver(const engineio::outgoing& msg, std::uint64_t offset);
  void on_ack(std::uint64_t id, event_args args);
  void fail_acks();
  void arm_expiry(std::function<void()> on_expired);

 private:
  using clock = std::chrono::steady_clock;
  struct pending_ack {
    std::function<void(std::optional<event_args>)> fn;
    std::shared_ptr<boost::asio::steady_timer> timer;
  };
  /// One packet kept for recovery, with the time it was sent (the age bound).
  struct buffered {
    std::uint64_t offset = 0;
    clock::time_point at;
    engineio::outgoing msg;
  };
  /// Drops the oldest packets beyond the count and byte bounds and, while connected, those
  /// older than one recovery window (a detached socket keeps what it has: it ends within a
  /// window anyway, and its newest packets may be the ones its client missed). Under mutex_.
  void trim_locked(clock::time_point now);
  /// Brings hallway_socketio_live_buffer_bytes in step with this socket (its buffer counts
  /// there while it has a transport). Under mutex_, after conn_ or buffer_bytes_ changed.
  void sync_live_bytes_locked();
  /// Sends the packets held during a replay until none is left, then lets delivery go straight
  /// to the connection again (stops if the connection changed meanwhile).
  void flush_held(const connection_ptr& conn);

  namespace_& nsp_;
  std::string id_;
  std::string pid_;
  boost::json::object auth_;
  boost::json::object data_;
  mutable std::mutex mutex_;  // the members below (touched by broadcasts and other strands)
  bool recovered_ = false;
  bool ended_ = false;  // disconnect() ran: never attached or kept for recovery again
  connection_ptr conn_;
  // While a recovery replays (resume()), delivered packets wait here so they follow the replay.
  // Lives for one replay at most: emptied by it, by detach() and by finish().
  bool replaying_ = false;
  std::vector<engineio::outgoing> held_;
  std::weak_ptr<client> client_;
  // Created with the first buffered packet and freed by finish(): an empty std::deque still
  // allocates ~600 bytes, more than the rest of an ended socket.
  std::optional<std::deque<buffered>> buffer_;
  std::size_t buffer_bytes_ = 0;
  std::size_t live_counted_ = 0;  // buffer bytes currently counted in the live gauge
  std::uint64_t evicted_upto_ = 0;
  std::uint64_t next_ack_ = 0;
  std::map<std::uint64_t, pending_ack> acks_;
  std::unique_ptr<boost::asio::steady_timer> expiry_;
  // Copied from the server: the registry outlives every socket, the server may not.
  core::gauge* sockets_gauge_ = nullptr;
  core::gauge* live_bytes_gauge_ = nullptr;
};

}  // namespace hw::socketio

#pragma once
// One Socket.IO socket: a client's connection to one namespace. Survives a transport drop for
// the recovery window (it keeps its id, rooms and a bounded replay buffer) so a client that
// comes back gets every packet it missed.

#include <boost/asio/steady_timer.hpp>
#include <deque>
#include <map>
#include <mutex>

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
  /// Binds the socket to a connection. False (and nothing changes) once it was disconnected.
  bool attach(const std::shared_ptr<engineio::session>& conn, const std::shared_ptr<client>& owner,
              bool recovered);
  /// Transport lost. Returns true when the socket waits for recovery (not after disconnect()).
  bool detach();
  /// Has a recovery pid and was not disconnected by the server.
  [[nodiscard]] bool recoverable() const;
  /// Drops the CONNECT payload once the connection handler has read it.
  void release_auth() { boost::json::object().swap(auth_); }
  /// Bytes this socket holds for recovery (replay buffer plus a fixed estimate of its own size).
  [[nodiscard]] std::size_t recovery_bytes() const;
  bool deliver(const engineio::outgoing& msg, std::uint64_t offset);
  /// Resends what the client missed after `offset` (0: from the start). False if impossible.
  bool replay_after(std::uint64_t offset);
  void on_ack(std::uint64_t id, event_args args);
  void fail_acks();
  void arm_expiry(std::function<void()> on_expired);

 private:
  struct pending_ack {
    std::function<void(std::optional<event_args>)> fn;
    std::shared_ptr<boost::asio::steady_timer> timer;
  };

  namespace_& nsp_;
  std::string id_;
  std::string pid_;
  boost::json::object auth_;
  boost::json::object data_;
  mutable std::mutex mutex_;  // the members below (touched by broadcasts and other strands)
  bool recovered_ = false;
  bool ended_ = false;  // disconnect() ran: never attached or kept for recovery again
  std::shared_ptr<engineio::session> conn_;
  std::weak_ptr<client> client_;
  std::deque<std::pair<std::uint64_t, engineio::outgoing>> buffer_;
  std::size_t buffer_bytes_ = 0;
  std::uint64_t evicted_upto_ = 0;
  std::uint64_t next_ack_ = 0;
  std::map<std::uint64_t, pending_ack> acks_;
  std::unique_ptr<boost::asio::steady_timer> expiry_;
};

/// Encodes an EVENT (or BINARY_EVENT) for namespace `nsp` as an Engine.IO message.
engineio::outgoing encode_event(std::string_view nsp, std::string_view event,
                                const event_args& args, std::optional<std::uint64_t> ack_id,
                                std::uint64_t offset, bool is_volatile);

}  // namespace hw::socketio

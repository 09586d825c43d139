#pragma once
// The Socket.IO side of one Engine.IO connection: decodes packets (reassembling binary ones),
// connects namespaces through their middleware (or recovers a socket that waited for it),
// dispatches events and acks to sockets. Runs on the connection's strand.

#include <boost/asio/steady_timer.hpp>
#include <map>
#include <optional>

#include "protocol/socketio.hpp"
#include "socketio/connection.hpp"
#include "socketio/server.hpp"
#include "socketio/socket.hpp"

namespace hw::socketio {

class client final : public engineio::listener, public std::enable_shared_from_this<client> {
 public:
  client(server& srv, connection_ptr conn);
  /// Arms the connect timeout: a client that joins no namespace in time is closed.
  void start();
  void on_message(std::string_view data, bool binary) override;
  void on_close(std::string_view reason) override;
  /// Removes a socket for good (server or client namespace disconnect).
  void drop(socket_ptr s, std::string_view reason);  // by value: s may be the map's own copy

 private:
  void on_text(std::string_view data);
  void on_attachment(std::string_view data);
  /// A CONNECT too large to parse: refused with CONNECT_ERROR (false: close instead).
  bool refuse_large_connect(std::string_view data);
  void on_packet(protocol::sio::packet& p, attachments bin);
  void on_event(protocol::sio::packet& p, attachments bin);
  void on_ack(protocol::sio::packet& p, attachments bin);
  /// The ack callback handed to an event handler when the client asked for one.
  ack_fn make_ack(const std::string& nsp, std::uint64_t id);
  void connect(protocol::sio::packet& p);
  /// CONNECT with a recovery pid: true when it was handled (recovered, or closed because the
  /// socket missed too much); false to connect a new socket instead.
  bool recover(namespace_& nsp, const boost::json::object& auth);
  void run_middleware(const socket_ptr& s, namespace_* nsp, std::size_t i);
  void accept(const socket_ptr& s, namespace_* nsp);
  void send(engineio::outgoing msg);
  void fail(std::string_view reason);

  server& srv_;
  connection_ptr conn_;
  std::map<std::string, socket_ptr, std::less<>> sockets_;  // by namespace
  // A binary packet waiting for its attachments: bounded in bytes (max_attachment_bytes) and
  // in time (attachment_timeout), so a client cannot park memory here.
  std::optional<protocol::sio::packet> partial_;
  attachments partial_bin_;
  std::size_t partial_bytes_ = 0;
  std::uint64_t partial_seq_ = 0;
  boost::asio::steady_timer partial_timer_;
  boost::asio::steady_timer connect_timer_;
  bool closed_ = false;
};

/// 20 random URL-safe characters (socket ids and recovery pids).
std::string random_id();

}  // namespace hw::socketio

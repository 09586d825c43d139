#pragma once
// A Socket.IO namespace: its middleware chain, connection and disconnect handlers, event handlers
// and rooms (an adapter), plus the vocabulary types of handlers and emits. The application sets a
// namespace up before serving; the client then drives it through the small public interface
// below (middleware, handler lookup, connection and disconnect callbacks).

#include <boost/json/array.hpp>
#include <boost/json/object.hpp>
#include <chrono>
#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "socketio/adapter.hpp"

namespace hw::socketio {

using millis = std::chrono::milliseconds;
class socket;
class server;
using socket_ptr = std::shared_ptr<socket>;
using attachments = std::vector<std::shared_ptr<const std::string>>;

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

/// One namespace of a server (which outlives it). Set up (use/on/on_*) before serving; the
/// lookups and callbacks below are then read-only and safe on any strand.
class namespace_ {
 public:
  namespace_(server& srv, std::string name);
  [[nodiscard]] const std::string& name() const { return name_; }
  [[nodiscard]] server& owner() const { return srv_; }

  // Set-up, by the application.
  void use(middleware m) { middlewares_.push_back(std::move(m)); }
  void on_connection(std::function<void(const socket_ptr&)> f) { on_connection_ = std::move(f); }
  void on_disconnect(std::function<void(const socket_ptr&, std::string_view reason)> f) {
    on_disconnect_ = std::move(f);
  }
  void on(std::string event, event_handler h) { handlers_[std::move(event)] = std::move(h); }
  /// Called for events that have no handler (e.g. to answer their ack with an error).
  void on_unknown(event_handler h) { unknown_ = std::move(h); }
  /// Emits to room members (all sockets when rooms is empty), encoded once for all of them.
  std::size_t emit(const broadcast_options& to, std::string_view event, const event_args& args,
                   bool is_volatile = false);
  adapter& rooms() { return *adapter_; }

  // Driven by the Socket.IO client (socketio/).
  [[nodiscard]] std::size_t middleware_count() const { return middlewares_.size(); }
  /// Runs middleware `i` (< middleware_count()) for a connecting socket.
  void run_middleware(std::size_t i, const socket_ptr& s, next_fn next) const;
  /// The handler of `event`: its own, else the on_unknown one; null when there is neither.
  [[nodiscard]] const event_handler* handler(std::string_view event) const;
  /// Runs the connection handler (a socket connected or recovered).
  void connected(const socket_ptr& s) const;
  /// Runs the disconnect handler (a socket left: for good, or to wait for recovery).
  void disconnected(const socket_ptr& s, std::string_view reason) const;

 private:
  server& srv_;
  std::string name_;
  std::unique_ptr<adapter> adapter_;
  std::vector<middleware> middlewares_;
  std::function<void(const socket_ptr&)> on_connection_;
  std::function<void(const socket_ptr&, std::string_view)> on_disconnect_;
  std::map<std::string, event_handler, std::less<>> handlers_;
  event_handler unknown_;
};

}  // namespace hw::socketio

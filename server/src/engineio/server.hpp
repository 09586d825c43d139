#pragma once
// The Engine.IO v4 server: the session table and the HTTP side of both transports. Mounted on
// a path ("/socket.io/") as an http::handler for polling, and asked by net/ about WebSocket
// upgrades on that path. Errors are answered as the reference server answers them:
// 400 {"code":0,"message":"Transport unknown"}, 1 "Session ID unknown", 2 "Bad handshake method",
// 3 "Bad request", 4 "Forbidden" (403), 5 "Unsupported protocol version".

#include <array>
#include <atomic>
#include <boost/asio/io_context.hpp>
#include <functional>
#include <memory>
#include <mutex>
#include <string>
#include <unordered_map>

#include "core/metrics.hpp"
#include "engineio/client_limits.hpp"
#include "engineio/session.hpp"
#include "http/handler.hpp"
#include "net/websocket.hpp"

namespace hw::engineio {

/// Called on the new session's strand when a session opens; returns its listener.
using connection_fn = std::function<std::shared_ptr<listener>(std::shared_ptr<session>)>;

class server final : public http::handler {
 public:
  server(boost::asio::io_context& ioc, options opts, connection_fn on_connection,
         core::registry* metrics = nullptr);
  ~server() override;

  /// Polling bodies are buffered up to the max payload (413 beyond, before they are read).
  void admit(const http::request& head, http::plan_fn decide) override;
  /// Polling transport (GET/POST/OPTIONS on the mounted path).
  void handle(const http::request& req, http::respond_fn respond) override;
  /// WebSocket transport: a new session, or the upgrade probe of a polling session. A
  /// WebSocket naming a session that already has one is accepted and closed (as the reference
  /// server does, so clients see a close rather than an HTTP error).
  net::upgrade_decision upgrade(const http::request& req);
  /// Shutdown: new sessions and upgrades are refused (503) and every session is closed now
  /// (a waiting poll is answered with a close packet), so draining waits for nobody.
  void drain();

  [[nodiscard]] std::size_t session_count() const;
  [[nodiscard]] const options& opts() const { return opts_; }

 private:
  std::shared_ptr<session> find(const std::string& sid) const;
  /// A new session for the client `req` names, or the refusal (429 per address, 503 global or
  /// draining).
  std::shared_ptr<session> create(const http::request& req, http::response& refusal);
  bool origin_ok(const http::request& req) const;
  void add_cors(const http::request& req, http::response& res) const;

  boost::asio::io_context& ioc_;
  options opts_;
  connection_fn on_connection_;
  mutable std::mutex mutex_;
  std::unordered_map<std::string, std::shared_ptr<session>> sessions_;
  client_limits per_client_;
  std::atomic<bool> draining_{false};
  core::gauge* sessions_gauge_ = nullptr;
  core::counter* refused_per_client_ = nullptr;
  core::counter* refused_rate_ = nullptr;
  std::array<core::counter*, close_reason_count> closes_{};  // by close_reason
};

/// Engine.IO error body {"code":N,"message":"..."} with status 400 (403 for Forbidden).
http::response eio_error(int code);

}  // namespace hw::engineio

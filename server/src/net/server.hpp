#pragma once
// The network server: one io_context run by N threads, a TCP (or TLS) listener with connection
// limits, HTTP/1.1 sessions each on its own strand, and graceful shutdown on SIGTERM/SIGINT.
// Beast-free header (pimpl) so main.cpp compiles in seconds.

#include <chrono>
#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <string_view>

#include "config/defaults.hpp"
#include "core/metrics.hpp"
#include "http/handler.hpp"
#include "net/websocket.hpp"

namespace boost::asio {
class io_context;
}

namespace hw::net {

/// Limits and addresses; every value is documented in config/config.hpp and README. Defaults of
/// configurable limits are the server's (config/defaults.hpp); host, port, threads and the ops
/// listener default to a test-friendly loopback server instead.
struct server_options {
  std::string host = "127.0.0.1";
  std::uint16_t port = 0;
  unsigned threads = 1;
  std::string tls_cert;  ///< PEM chain; empty = plain HTTP
  std::string tls_key;
  std::size_t max_header_bytes = config::defaults::max_header_bytes;
  /// Body limit of a request whose handler's body_plan sets none (http::body_plan::limit).
  std::size_t max_body_bytes = config::defaults::max_body_bytes;
  std::chrono::milliseconds request_timeout = config::defaults::request_timeout;
  std::chrono::milliseconds idle_timeout = config::defaults::idle_timeout;
  std::size_t max_connections = config::defaults::max_connections;
  std::size_t max_connections_per_ip = config::defaults::max_connections_per_ip;
  std::chrono::milliseconds shutdown_grace = config::defaults::shutdown_grace;
  /// Connections being refused (429/503 being written) at once; beyond, refused ones are closed
  /// without an answer so a connection flood cannot grow memory.
  std::size_t max_rejecting = 1024;
  /// WebSocket send queue bound per connection: volatile messages are dropped beyond a quarter
  /// of it; a connection over it for longer than `send_queue_grace`, or over four times it at
  /// any moment, is closed (a reader that stops reading cannot grow server memory).
  std::size_t send_queue_bytes = config::defaults::send_queue_bytes;
  std::chrono::milliseconds send_queue_grace = config::defaults::send_queue_grace;
  /// Reverse proxies whose X-Forwarded-For/-Proto are believed (CIDR list, validated by config).
  std::string trusted_proxies;
  /// IPv6 clients are counted per /ipv6_prefix by every per-address limit.
  unsigned ipv6_prefix = config::defaults::ipv6_prefix;
  /// Ops listener (/metrics, /healthz, /readyz) "host:port"; empty = none.
  std::string ops_listen;
};

/// What the server calls into; all must outlive it.
struct server_hooks {
  http::handler* handler = nullptr;
  /// Applied to every response, including the server's own errors (security headers).
  /// `secure`: the client's scheme is https (the request's effective `tls`).
  std::function<void(http::response&, bool secure)> decorate;
  /// Client address → its log-safe form (a keyed hash).
  std::function<std::string(std::string_view)> client_id;
  core::registry* metrics = nullptr;
  /// WebSocket upgrades (absent: upgrades are answered 404 like any unknown route).
  upgrade_fn upgrade;
  /// Serves the ops listener (only /metrics, /healthz, /readyz); required with ops_listen.
  http::handler* ops_handler = nullptr;
  /// Called once when shutdown begins, before open connections are told to drain: the layers
  /// above end their realtime sessions so that draining waits for nobody.
  std::function<void()> on_drain;
};

class server {
 public:
  server(server_options opts, server_hooks hooks);
  ~server();
  server(const server&) = delete;
  server& operator=(const server&) = delete;

  /// Loads TLS material and binds the listener. Returns an error naming the setting on failure.
  std::optional<std::string> listen();
  /// The bound port (after listen()).
  [[nodiscard]] std::uint16_t port() const;
  /// The ops listener's bound port, 0 when there is none.
  [[nodiscard]] std::uint16_t ops_port() const;
  /// Runs the I/O threads until shutdown has completed; returns the process exit code.
  int run();
  /// The I/O context, for layers that own timers and strands (realtime sessions).
  boost::asio::io_context& context();
  /// False once shutdown began (readiness).
  [[nodiscard]] bool draining() const;
  /// Begins graceful shutdown (what SIGTERM does). Thread-safe, idempotent.
  void begin_shutdown();

 private:
  struct impl;
  std::unique_ptr<impl> impl_;
};

}  // namespace hw::net

#include "net/server_context.hpp"

namespace hw::net {

namespace {
core::registry& metrics_of(const server_hooks& h) {
  static core::registry fallback;  // tests may run without a registry
  return h.metrics != nullptr ? *h.metrics : fallback;
}
}  // namespace

server_context::server_context(server_options o, server_hooks h)
    : opts(std::move(o)),
      hooks(std::move(h)),
      limits(opts.max_connections, opts.max_connections_per_ip),
      trusted([this] {
        std::string bad;
        return core::parse_cidr_list(opts.trusted_proxies, bad).value_or(std::vector<core::cidr>{});
      }()),
      open_connections(
          metrics_of(hooks).get_gauge("hallway_open_connections", "Open client connections")),
      accepted(metrics_of(hooks).get_counter("hallway_connections_accepted_total",
                                             "Connections accepted")),
      request_bytes(metrics_of(hooks).get_counter("hallway_http_request_bytes_total",
                                                  "Bytes of HTTP requests received")),
      response_bytes(metrics_of(hooks).get_counter("hallway_http_response_bytes_total",
                                                   "Bytes of HTTP responses sent")),
      websocket_connections(metrics_of(hooks).get_gauge("hallway_websocket_connections",
                                                        "Open WebSocket connections")),
      ws_messages_in(metrics_of(hooks).get_counter("hallway_websocket_messages_received_total",
                                                   "WebSocket messages received")),
      ws_messages_out(metrics_of(hooks).get_counter("hallway_websocket_messages_sent_total",
                                                    "WebSocket messages queued for sending")),
      ws_dropped(metrics_of(hooks).get_counter(
          "hallway_websocket_messages_dropped_total",
          "Volatile WebSocket messages dropped because the send queue was congested")),
      slow_readers_closed(metrics_of(hooks).get_counter(
          "hallway_slow_readers_closed_total",
          "Connections closed because their send queue stayed over its bound")) {}

void server_context::count_request(std::string_view route, unsigned status) {
  metrics_of(hooks)
      .get_counter("hallway_http_requests_total",
                   "HTTP requests answered, by route class and status",
                   {{"route", std::string(route)}, {"status", std::to_string(status)}})
      .inc();
}

void server_context::count_rejected(std::string_view reason) {
  metrics_of(hooks)
      .get_counter("hallway_connections_rejected_total", "Connections refused at accept, by reason",
                   {{"reason", std::string(reason)}})
      .inc();
}

std::uint64_t server_context::add_session(std::weak_ptr<session_base> s) {
  std::lock_guard lock(mutex_);
  const auto id = next_id_++;
  sessions_.emplace(id, std::move(s));
  return id;
}

void server_context::replace_session(std::uint64_t id, std::weak_ptr<session_base> s) {
  std::lock_guard lock(mutex_);
  sessions_[id] = std::move(s);
}

void server_context::remove_session(std::uint64_t id, const std::string& ip) {
  bool idle = false;
  {
    std::lock_guard lock(mutex_);
    sessions_.erase(id);
    idle = sessions_.empty();
  }
  limits.release(ip);
  open_connections.add(-1);
  if (idle && draining.load() && on_idle_while_draining) on_idle_while_draining();
}

}  // namespace hw::net

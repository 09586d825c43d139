#include "net/session_parts.hpp"

#include <string_view>
#include <vector>

#if defined(__linux__)
#include <linux/sockios.h>
#include <sys/ioctl.h>
#endif

#include "core/log.hpp"
#include "core/wire_errors.hpp"
#include "protocol/websocket.hpp"

namespace hw::net {

void client_cache::apply(http::request& req, bool listener_tls, const server_context& ctx) {
  bool tls = listener_tls;
  core::ip_address client = peer_;
  if (trusted_peer_) {
    std::vector<std::string_view> xff;
    for (const auto& [name, value] : req.headers.fields()) {
      if (name == "x-forwarded-for") xff.push_back(value);
    }
    const auto eff =
        core::resolve_client(peer_, xff, req.headers.get("x-forwarded-proto"), ctx.trusted);
    client = eff.address;
    tls = eff.forwarded_tls.value_or(tls);
  }
  if (!has_client_ || !(client == client_)) {
    client_ = client;
    has_client_ = true;
    client_id_ = ctx.hooks.client_id
                     ? ctx.hooks.client_id(core::address_key(client, ctx.opts.ipv6_prefix))
                     : std::string();
  }
  req.tls = tls;
  req.client_id = client_id_;
  req.peer_ip = peer_text_;
}

void log_request(const http::request& req, unsigned status, std::uint64_t bytes,
                 std::chrono::steady_clock::time_point started, const std::string& client_id) {
  if (!core::log::enabled(core::log::level::debug)) return;
  const auto ms =
      std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - started).count();
  core::log::debug("http_request", {{"method", req.method},
                                    {"path", std::string_view(req.path).substr(0, 256)},
                                    {"status", status},
                                    {"bytes", bytes},
                                    {"duration_ms", ms},
                                    {"client", client_id}});
}

std::optional<std::size_t> unacked_bytes(int fd) {
#if defined(__linux__)
  int n = 0;
  if (::ioctl(fd, SIOCOUTQ, &n) == 0 && n >= 0) return static_cast<std::size_t>(n);
#else
  (void)fd;
#endif
  return std::nullopt;
}

upgrade_answer answer_upgrade(const http::request& req, bool draining, const upgrade_fn& hook) {
  upgrade_answer a;
  if (req.headers.get("sec-websocket-version") != "13") {
    a.refusal = http::make_error(core::wire_error::upgrade_required);
    a.refusal->headers.set("sec-websocket-version", "13");
    return a;
  }
  const auto accept = protocol::ws::accept_key(req.headers.get("sec-websocket-key"));
  if (accept.empty()) {
    a.refusal = http::make_error(core::wire_error::bad_request, "invalid Sec-WebSocket-Key");
    return a;
  }
  if (draining) {
    a.refusal = http::make_error(core::wire_error::shutting_down);
    return a;
  }
  a.decision = hook(req);
  if (!a.decision.endpoint) {
    a.refusal = std::move(a.decision.refusal);
    return a;
  }
  a.handshake =
      "HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n"
      "Sec-WebSocket-Accept: " +
      accept + "\r\n\r\n";
  return a;
}

}  // namespace hw::net

#pragma once
// The Beast-free parts of an HTTP session (net/ internal): who the client is, the request log
// line, and the answer to a WebSocket handshake. Out of http_session.cpp so that they compile
// without Beast.

#include <chrono>
#include <cstdint>
#include <optional>
#include <string>

#include "core/address.hpp"
#include "http/message.hpp"
#include "net/server_context.hpp"
#include "net/websocket.hpp"

namespace hw::net {

/// The request's client and scheme: the TCP peer's, or from a trusted proxy the forwarded ones
/// (core::resolve_client). The hashed key is cached, so a direct client costs one hash per
/// connection and a proxy's keep-alive connection one per change of client.
class client_cache {
 public:
  client_cache(const core::ip_address& peer, bool trusted_peer)
      : peer_(peer), peer_text_(peer.to_string()), trusted_peer_(trusted_peer) {}
  /// Sets req.tls, req.client_id and req.peer_ip; `listener_tls`: the connection is TLS.
  void apply(http::request& req, bool listener_tls, const server_context& ctx);
  [[nodiscard]] const std::string& client_id() const { return client_id_; }

 private:
  core::ip_address peer_;
  std::string peer_text_;
  bool trusted_peer_;
  core::ip_address client_;  ///< the last request's effective client
  bool has_client_ = false;
  std::string client_id_;
};

/// The debug line of one answered request (no raw address, the path cut to 256 bytes).
void log_request(const http::request& req, unsigned status, std::uint64_t bytes,
                 std::chrono::steady_clock::time_point started, const std::string& client_id);

/// Bytes written to the TCP socket `fd` that its peer has not acknowledged yet (Linux
/// SIOCOUTQ); empty where the system cannot tell. Falls while a blocked writer waits, as a slow
/// reader makes progress.
std::optional<std::size_t> unacked_bytes(int fd);

/// What to answer a WebSocket handshake: a refusal, or the 101 and the hook's endpoint.
struct upgrade_answer {
  std::optional<http::response> refusal;
  std::string handshake;  ///< the 101 response, written first by the WebSocket session
  upgrade_decision decision;
};
/// The whole handshake is validated before `hook` is asked: the hook may create state (an
/// Engine.IO session) that only a WebSocket that really opens will ever release.
upgrade_answer answer_upgrade(const http::request& req, bool draining, const upgrade_fn& hook);

}  // namespace hw::net

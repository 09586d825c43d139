#pragma once
// Starting a WebSocket session on a stream whose HTTP upgrade was accepted (net/ internal).

#include <boost/beast/core/tcp_stream.hpp>
#include <boost/beast/ssl/ssl_stream.hpp>
#include <memory>
#include <string>

#include "net/server_context.hpp"
#include "net/websocket.hpp"

namespace hw::net {

/// Everything an upgraded connection carries over from its HTTP session.
struct ws_start {
  std::uint64_t session_id = 0;  ///< registration (admission slot) taken over
  std::string peer_ip;           ///< the admission key of the slot (released when the session ends)
  std::string handshake;         ///< the 101 response, written first
  std::string leftover;          ///< bytes read after the upgrade request
  std::shared_ptr<ws_endpoint> endpoint;
  std::size_t max_message = 1'000'000;
};

void start_ws_session(boost::beast::tcp_stream stream, server_context& ctx, ws_start start);
void start_ws_session(boost::beast::ssl_stream<boost::beast::tcp_stream> stream,
                      server_context& ctx, ws_start start);

}  // namespace hw::net

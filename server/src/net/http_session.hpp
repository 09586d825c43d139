#pragma once
// Starting HTTP/1.1 sessions on accepted sockets (net/ internal; includes Asio).

#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/ssl/context.hpp>
#include <string>

#include "net/server_context.hpp"

namespace hw::net {

/// Who is on the other end of an accepted socket.
struct peer_info {
  core::ip_address address;  ///< the raw TCP peer
  std::string limit_key;     ///< its admission key (empty: a trusted proxy, total bound only)
  bool trusted_proxy = false;
};

/// Serves requests on `socket` until the peer closes, a limit or timeout hits, or shutdown.
/// `ssl` is null for plain HTTP. `reject_status` != 0 answers that status at once (connection
/// limits) and closes, without reading a request.
void start_http_session(boost::asio::ip::tcp::socket socket, boost::asio::ssl::context* ssl,
                        server_context& ctx, peer_info peer, unsigned reject_status);

}  // namespace hw::net

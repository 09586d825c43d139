#pragma once
// --conformance: the protocol documents' test servers (docs/protocol.md). Fast heartbeats and
// no per-address limits, a raw Engine.IO echo endpoint on /engine.io/ and Socket.IO echo
// namespaces on /socket.io/. A setting given explicitly still wins, so the same echo server
// serves benchmarks with thousands of connections.

#include <memory>

#include "config/config.hpp"
#include "engineio/server.hpp"
#include "socketio/server.hpp"

namespace hw {

/// Sets conformance mode's values of the settings not given explicitly.
void apply_conformance_defaults(config::config& cfg);

/// The raw Engine.IO endpoint: every message is echoed back to its sender.
std::unique_ptr<engineio::server> make_echo_engine(boost::asio::io_context& ioc,
                                                   const engineio::options& opts);

/// The Socket.IO namespaces "/" and "/custom": auth echoed on connect, "message" echoed as
/// "message-back", "message-with-ack" acknowledged with its arguments.
void setup_conformance(socketio::server& io);

}  // namespace hw

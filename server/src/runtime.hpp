#pragma once
// Builds the whole server from a validated config and runs it until shutdown. main.cpp (and the
// integration-test server) call it with the code that registers Socket.IO namespaces, so the
// wiring exists once. Each setting reaches its component through options.hpp; --conformance's
// echo server is conformance.hpp.

#include <functional>

#include "config/config.hpp"
#include "socketio/server.hpp"

namespace hw {

/// Returns the process exit code. `setup` runs once, before the server accepts connections; when
/// empty, the product's chat gateway serves namespace "/".
int run_server(const config::config& cfg, const std::function<void(socketio::server&)>& setup);

}  // namespace hw

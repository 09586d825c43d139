#pragma once
// config → component options: the one place where a setting reaches the component that uses it.
// One function per component; pure (no I/O), so a unit test checks every mapping. Values no
// setting covers keep the component's own default.

#include <chrono>
#include <cstddef>
#include <string>

#include "app/chat_service.hpp"
#include "config/config.hpp"
#include "engineio/session.hpp"
#include "gateway/files_rest.hpp"
#include "gateway/guest_rest.hpp"
#include "gateway/ice_rest.hpp"
#include "http/security_headers.hpp"
#include "http/static_files.hpp"
#include "net/server.hpp"
#include "socketio/server.hpp"

namespace hw {

/// The listener, HTTP limits, send queues, proxies and the ops listener.
net::server_options make_net_options(const config::config& cfg);
/// Heartbeat, payload and per-address session limits of every Engine.IO endpoint.
engineio::options make_engineio_options(const config::config& cfg);
/// Namespace CONNECT timeout and size, connection state recovery.
socketio::options make_socketio_options(const config::config& cfg);
/// Matching, grace periods and per-guest rate limits of the chat.
app::chat_config make_chat_options(const config::config& cfg);
/// A privacy setting (auto, relay, direct) resolved: auto is relay when TURN is configured.
app::call_privacy call_privacy(const config::config& cfg, const std::string& setting);
/// STUN/TURN servers, TURN credentials and the privacy per chat mode for GET /api/ice-servers.
gateway::ice_options make_ice_options(const config::config& cfg);
/// Guest tokens (signed with `jwt_key`) and the guest creation rate per address.
gateway::guest_rest_options make_guest_api_options(const config::config& cfg, std::string jwt_key);
/// Shared files: size, lifetime, upload rate and bytes in flight (the file domain), and the
/// disk-space floor (the upload endpoint).
app::files_config make_files_options(const config::config& cfg);
gateway::files_rest_options make_files_rest_options(const config::config& cfg);
http::static_options make_static_options(const config::config& cfg);
http::security_policy make_security_policy(const config::config& cfg);

/// Bounds of the in-memory guest session store.
struct session_store_options {
  std::chrono::milliseconds ttl;
  std::size_t max_sessions;
  std::size_t max_per_owner;
};
session_store_options make_session_store_options(const config::config& cfg);

/// How often the gateway slides a connected guest's session: often enough that it never
/// expires while connected, rarely enough to stay off the hot path.
std::chrono::milliseconds make_session_touch_interval(const config::config& cfg);

}  // namespace hw

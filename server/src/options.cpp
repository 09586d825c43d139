#include "options.hpp"

#include <algorithm>
#include <utility>

namespace hw {

net::server_options make_net_options(const config::config& cfg) {
  net::server_options so;
  so.host = cfg.host;
  so.port = cfg.port;
  so.threads = cfg.threads;
  so.tls_cert = cfg.tls_cert;
  so.tls_key = cfg.tls_key;
  so.max_header_bytes = cfg.max_header_bytes;
  so.max_body_bytes = cfg.max_body_bytes;
  so.request_timeout = cfg.request_timeout;
  so.idle_timeout = cfg.idle_timeout;
  so.max_connections = cfg.max_connections;
  so.max_connections_per_ip = cfg.max_connections_per_ip;
  so.shutdown_grace = cfg.shutdown_grace;
  so.send_queue_bytes = cfg.send_queue_bytes;
  so.send_queue_grace = cfg.send_queue_grace;
  so.trusted_proxies = cfg.trusted_proxies;
  so.ipv6_prefix = cfg.ipv6_prefix;
  so.ops_listen = cfg.ops_listen;
  return so;
}

engineio::options make_engineio_options(const config::config& cfg) {
  engineio::options eio;
  eio.ping_interval = cfg.ping_interval;
  eio.ping_timeout = cfg.ping_timeout;
  eio.max_payload = cfg.max_payload;
  eio.send_queue_bytes = cfg.send_queue_bytes;
  eio.max_sessions = cfg.max_connections;
  eio.allowed_origins = cfg.allowed_origins;
  eio.max_sessions_per_client = cfg.max_sessions_per_ip;
  eio.handshake_rate = cfg.handshake_rate.per_second;
  eio.handshake_burst = cfg.handshake_rate.burst;
  return eio;
}

socketio::options make_socketio_options(const config::config& cfg) {
  socketio::options sio;
  sio.connect_timeout = cfg.connect_timeout;
  sio.recovery_window = cfg.recovery_window;
  sio.max_connect_bytes = cfg.max_connect_bytes;
  sio.recovery_total_bytes = cfg.recovery_total_bytes;
  return sio;
}

app::chat_config make_chat_options(const config::config& cfg) {
  const auto bucket = [](config::rate r) { return app::bucket_config{r.per_second, r.burst}; };
  app::chat_config chat;
  chat.matching.fallback = cfg.match_fallback;
  chat.reconnect_grace = cfg.reconnect_grace;
  chat.retain_offline = cfg.retain_offline;
  chat.report_window = cfg.report_window;
  chat.message_limit = bucket(cfg.message_rate);
  chat.typing_limit = bucket(cfg.typing_rate);
  chat.match_limit = bucket(cfg.match_rate);
  chat.receipt_limit = bucket(cfg.receipt_rate);
  chat.control_limit = bucket(cfg.control_rate);
  chat.signal_limit = bucket(cfg.signal_rate);
  chat.calls.ring_timeout = cfg.ring_timeout;
  chat.calls.max_sdp = cfg.max_sdp_bytes;
  chat.calls.max_candidate = cfg.max_candidate_bytes;
  chat.calls.privacy_video = call_privacy(cfg, cfg.call_privacy);
  chat.calls.privacy_text = call_privacy(cfg, cfg.call_privacy_text);
  return chat;
}

app::call_privacy call_privacy(const config::config& cfg, const std::string& setting) {
  // auto: relay-only whenever a TURN server can carry the call (the parser refuses an explicit
  // relay without one).
  if (setting == "relay" || (setting == "auto" && cfg.turn())) return app::call_privacy::relay;
  return app::call_privacy::direct;
}

gateway::ice_options make_ice_options(const config::config& cfg) {
  gateway::ice_options o;
  o.stun_urls = cfg.stun_urls;
  o.turn_urls = cfg.turn_urls;
  o.turn_secret = cfg.turn_secret;
  o.ttl = std::chrono::duration_cast<std::chrono::seconds>(cfg.turn_ttl);
  o.privacy_video = call_privacy(cfg, cfg.call_privacy);
  o.privacy_text = call_privacy(cfg, cfg.call_privacy_text);
  return o;
}

gateway::guest_rest_options make_guest_api_options(const config::config& cfg, std::string jwt_key) {
  gateway::guest_rest_options guests;
  guests.jwt_key = std::move(jwt_key);
  guests.token_lifetime = std::chrono::duration_cast<std::chrono::seconds>(cfg.token_lifetime);
  // guest-create-rate is per minute: that many at once, refilled over a minute.
  guests.create_limit = app::bucket_config{cfg.guest_create_rate / 60.0, cfg.guest_create_rate};
  return guests;
}

app::files_config make_files_options(const config::config& cfg) {
  app::files_config files;
  files.max_file_bytes = cfg.max_file_size;
  files.max_lifetime = cfg.file_lifetime;
  // upload-limit uploads at once, refilled over the window.
  const auto window_s = std::chrono::duration<double>(config::defaults::upload_window).count();
  files.upload_limit =
      app::bucket_config{cfg.upload_limit / window_s, static_cast<double>(cfg.upload_limit)};
  files.max_in_flight_per_guest = cfg.uploads_in_flight_per_guest;
  files.max_in_flight_total = cfg.uploads_in_flight;
  return files;
}

gateway::files_rest_options make_files_rest_options(const config::config& cfg) {
  return gateway::files_rest_options{.min_free_bytes = cfg.min_free_disk};
}

http::static_options make_static_options(const config::config& cfg) {
  return http::static_options{.root = cfg.web_root};
}

http::security_policy make_security_policy(const config::config& cfg) {
  return http::security_policy{cfg.tls(), cfg.allowed_origins};
}

session_store_options make_session_store_options(const config::config& cfg) {
  // docs/design.md (limits): 10 × max-connections guest sessions, max-guests-per-ip per address.
  return {cfg.session_ttl, cfg.max_connections * 10, cfg.max_guests_per_ip};
}

std::chrono::milliseconds make_session_touch_interval(const config::config& cfg) {
  return std::min<std::chrono::milliseconds>(cfg.session_ttl / 4, std::chrono::seconds(60));
}

}  // namespace hw

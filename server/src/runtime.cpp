#include "runtime.hpp"

#include <cstdio>
#include <filesystem>

#include "core/ip_hash.hpp"
#include "core/log.hpp"
#include "core/metrics.hpp"
#include "core/secrets.hpp"
#include "gateway/guest_rest.hpp"
#include "gateway/realtime.hpp"
#include "gateway/stats_rest.hpp"
#include "http/ops.hpp"
#include "http/router.hpp"
#include "http/security_headers.hpp"
#include "http/static_files.hpp"
#include "net/server.hpp"
#include "socketio/socket.hpp"
#include "state/memory/session_store.hpp"

namespace hw {

namespace {

int fail(const std::string& message) {
  std::fprintf(stderr, "hallway: %s\n", message.c_str());  // NOLINT: logging may be off
  return 1;
}

// Uses the configured secret or the one kept under data-dir/secrets (created on first run).
std::optional<std::string> secret(const std::string& given, const std::string& data_dir,
                                  const char* file, const char* setting, std::string& error) {
  if (!given.empty()) {
    if (given.size() < 32) {
      error = std::string("invalid setting '") + setting + "': must be at least 32 characters";
      return std::nullopt;
    }
    return given;
  }
  auto s = core::load_or_create_secret(std::filesystem::path(data_dir) / "secrets" / file, error);
  if (!s) error = std::string("invalid setting 'data-dir': ") + error;
  return s;
}

/// Conformance mode's raw Engine.IO endpoint: every message is echoed back.
class echo_listener final : public engineio::listener {
 public:
  explicit echo_listener(std::shared_ptr<engineio::session> s) : session_(std::move(s)) {}
  void on_message(std::string_view data, bool binary) override {
    if (!session_) return;
    engineio::outgoing out;
    if (binary) {
      out.binaries.push_back(std::make_shared<const std::string>(data));
    } else {
      out.text = std::make_shared<const std::string>("4" + std::string(data));
    }
    session_->send(std::move(out));
  }
  void on_close(std::string_view /*reason*/) override { session_.reset(); }

 private:
  std::shared_ptr<engineio::session> session_;
};

/// What the chat holds, per population (issue 8): computed when scraped from counts the gateway
/// and the session store keep up to date, so a scrape never walks the guests.
void register_memory_gauges(core::registry& metrics, const std::unique_ptr<gateway::realtime>& chat,
                            state::memory::session_store& sessions) {
  const auto add = [&](const char* name, const char* help, auto field) {
    metrics.add_computed_gauge(name, help, [&chat, field] {
      return chat ? static_cast<double>(field(chat->memory())) : 0.0;
    });
  };
  using snap = gateway::memory_snapshot;
  add("hallway_chat_guests_online", "Guests with a live connection",
      [](const snap& m) { return m.chat.online; });
  add("hallway_chat_guests_away", "Offline guests inside their reconnect grace",
      [](const snap& m) { return m.chat.away; });
  add("hallway_chat_guests_remembered",
      "Offline guests whose recent partners and limits are kept (retain-offline)",
      [](const snap& m) { return m.chat.remembered; });
  add("hallway_chat_dedupe_entries", "Message ids remembered for retries, all guests",
      [](const snap& m) { return m.chat.dedupe_entries; });
  add("hallway_chat_pending_messages", "Messages kept for partners that are away",
      [](const snap& m) { return m.chat.pending_messages; });
  add("hallway_gateway_sockets_held", "Sockets the chat gateway holds (live and left)",
      [](const snap& m) { return m.sockets_held; });
  metrics.add_computed_gauge("hallway_guest_sessions", "Guest sessions in the session store",
                             [&sessions] { return static_cast<double>(sessions.live()); });
}

}  // namespace

void setup_conformance(socketio::server& io) {
  auto& root = io.of("/");
  root.on_connection([](const socketio::socket_ptr& s) {
    socketio::event_args a;
    a.args.push_back(s->auth());
    s->emit("auth", a);
  });
  root.on("message", [](const socketio::socket_ptr& s, socketio::event_args& args,
                        const socketio::ack_fn& /*ack*/) { s->emit("message-back", args); });
  root.on("message-with-ack", [](const socketio::socket_ptr& /*s*/, socketio::event_args& args,
                                 const socketio::ack_fn& ack) {
    if (ack) ack(args);
  });
  io.of("/custom").on_connection([](const socketio::socket_ptr& s) {
    socketio::event_args a;
    a.args.push_back(s->auth());
    s->emit("auth", a);
  });
}

int run_server(const config::config& given, const std::function<void(socketio::server&)>& setup) {
  config::config cfg = given;
  if (cfg.conformance) {
    // The protocol documents' test servers; a setting given explicitly still wins (the same
    // echo server then serves benchmarks with thousands of connections).
    const auto def = [&cfg](std::string_view name, auto& field, auto value) {
      if (!cfg.given(name)) field = value;
    };
    def("ping-interval", cfg.ping_interval, config::millis{300});
    def("ping-timeout", cfg.ping_timeout, config::millis{200});
    def("max-payload", cfg.max_payload, std::size_t{1'000'000});
    def("connect-timeout", cfg.connect_timeout, config::millis{1000});
    def("recovery-window", cfg.recovery_window, config::millis{0});
    def("allowed-origins", cfg.allowed_origins, std::vector<std::string>{"*"});
    // The suites open many sessions from one address in quick succession.
    def("max-sessions-per-ip", cfg.max_sessions_per_ip, std::size_t{0});
    def("handshake-rate", cfg.handshake_rate, config::config::rate{0, 0});
  }
  core::log::init(cfg.log_level, cfg.log_format);

  std::string error;
  const auto jwt_secret = secret(cfg.jwt_secret, cfg.data_dir, "jwt.key", "jwt-secret", error);
  if (!jwt_secret) return fail(error);
  const auto ip_key = secret(cfg.ip_hash_key, cfg.data_dir, "ip-hash.key", "ip-hash-key", error);
  if (!ip_key) return fail(error);
  const core::ip_hasher ip_hash(*ip_key);

  core::registry metrics;
  metrics.add_computed_gauge("hallway_process_resident_memory_bytes", "Resident memory (RSS)",
                             [] { return static_cast<double>(core::process_rss_bytes()); });
  metrics.get_gauge("hallway_build_info", "Build information", {{"version", HALLWAY_VERSION}})
      .set(1);

  const http::security_policy policy{cfg.tls(), cfg.allowed_origins};
  // Guests: sessions in memory (single instance), tokens signed with the JWT secret.
  app::system_clock clock;
  state::memory::session_store sessions([&clock] { return clock.now(); }, cfg.session_ttl,
                                        cfg.max_connections * 10, cfg.max_guests_per_ip);
  gateway::guest_rest_options gopts;
  gopts.jwt_key = *jwt_secret;
  gopts.token_lifetime = std::chrono::duration_cast<std::chrono::seconds>(cfg.token_lifetime);
  gopts.create_limit = app::bucket_config{cfg.guest_create_rate / 60.0, cfg.guest_create_rate};
  gateway::guest_rest guests(gopts, sessions, clock);
  app::chat_config chat_cfg;
  chat_cfg.matching.fallback = cfg.match_fallback;
  chat_cfg.reconnect_grace = cfg.reconnect_grace;
  chat_cfg.retain_offline = cfg.retain_offline;
  chat_cfg.report_window = cfg.report_window;
  chat_cfg.message_limit = {cfg.message_rate.per_second, cfg.message_rate.burst};
  chat_cfg.typing_limit = {cfg.typing_rate.per_second, cfg.typing_rate.burst};
  chat_cfg.match_limit = {cfg.match_rate.per_second, cfg.match_rate.burst};
  chat_cfg.receipt_limit = {cfg.receipt_rate.per_second, cfg.receipt_rate.burst};
  chat_cfg.control_limit = {cfg.control_rate.per_second, cfg.control_rate.burst};
  std::unique_ptr<gateway::realtime> chat;
  gateway::stats_rest stats_api([&chat] { return chat ? chat->stats() : app::stats_snapshot{}; });
  http::static_files web(http::static_options{.root = cfg.web_root});
  net::server* srv_ptr = nullptr;
  http::ops ops([&srv_ptr] { return srv_ptr != nullptr && !srv_ptr->draining(); }, metrics);
  http::router router(policy, ops, web);

  net::server_options so;
  so.host = cfg.host;
  so.port = cfg.port;
  so.threads = cfg.threads;
  so.tls_cert = cfg.tls_cert;
  so.tls_key = cfg.tls_key;
  so.max_header_bytes = cfg.max_header_bytes;
  so.max_body_bytes = cfg.max_body_bytes;
  // Polling POST bodies may be as large as an Engine.IO payload (and no larger: 413 beyond).
  so.max_realtime_body_bytes = cfg.max_payload;
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

  std::unique_ptr<socketio::server> io;
  std::unique_ptr<engineio::server> raw_engine;
  net::server_hooks hooks;
  hooks.handler = &router;
  hooks.decorate = [&policy](http::response& r, bool secure) {
    http::add_security_headers(r, policy, secure);
  };
  hooks.ops_handler = &ops;
  hooks.client_id = [&ip_hash](std::string_view ip) { return ip_hash.hash(ip); };
  hooks.metrics = &metrics;
  hooks.on_drain = [&] {
    if (io) io->engine().drain();
    if (raw_engine) raw_engine->drain();
  };
  hooks.upgrade = [&](const http::request& req) -> net::upgrade_decision {
    if (req.path == "/socket.io/" && io) return io->engine().upgrade(req);
    if (req.path == "/engine.io/" && raw_engine) return raw_engine->upgrade(req);
    net::upgrade_decision refused;
    refused.refusal = http::make_error(404, "not_found", "no WebSocket endpoint here");
    return refused;
  };

  net::server srv(so, hooks);
  if (auto err = srv.listen()) return fail(*err);
  srv_ptr = &srv;

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
  socketio::options sio;
  sio.connect_timeout = cfg.connect_timeout;
  sio.recovery_window = cfg.recovery_window;
  sio.max_connect_bytes = cfg.max_connect_bytes;
  sio.recovery_total_bytes = cfg.recovery_total_bytes;
  io = std::make_unique<socketio::server>(srv.context(), eio, sio, &metrics);
  router.mount("/socket.io/", io->engine());
  router.mount("/api/guest", guests);
  router.mount("/api/stats", stats_api);
  if (cfg.conformance) {
    raw_engine = std::make_unique<engineio::server>(
        srv.context(), eio, [](std::shared_ptr<engineio::session> s) {
          return std::make_shared<echo_listener>(std::move(s));
        });
    router.mount("/engine.io/", *raw_engine);
    setup_conformance(*io);
  } else if (setup) {
    setup(*io);
  } else {
    chat = std::make_unique<gateway::realtime>(
        srv.context(), *io, sessions,
        [&guests](std::string_view token) { return guests.check_token(token); }, chat_cfg,
        std::min<std::chrono::milliseconds>(cfg.session_ttl / 4, std::chrono::seconds(60)),
        &metrics);
  }

  register_memory_gauges(metrics, chat, sessions);

  if (!std::filesystem::exists(std::filesystem::path(cfg.web_root) / "index.html")) {
    core::log::info("web_root_missing",
                    {{"web_root", cfg.web_root}, {"note", "serving the built-in page"}});
  }
  const int code = srv.run();
  // Realtime state owns timers of srv's io_context: it goes first.
  chat.reset();
  raw_engine.reset();
  io.reset();
  core::log::info("exit", {{"code", code}});
  return code;
}

}  // namespace hw

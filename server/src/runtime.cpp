#include "runtime.hpp"

#include <cstdio>
#include <filesystem>
#include <memory>
#include <optional>
#include <string>
#include <utility>

#include "conformance.hpp"
#include "core/blocking_pool.hpp"
#include "core/ip_hash.hpp"
#include "core/log.hpp"
#include "core/metrics.hpp"
#include "core/secrets.hpp"
#include "gateway/files_rest.hpp"
#include "gateway/guest_rest.hpp"
#include "gateway/ice_rest.hpp"
#include "gateway/realtime.hpp"
#include "gateway/stats_rest.hpp"
#include "http/ops.hpp"
#include "http/router.hpp"
#include "http/security_headers.hpp"
#include "http/static_files.hpp"
#include "net/server.hpp"
#include "options.hpp"
#include "state/memory/file_catalog.hpp"
#include "state/memory/session_store.hpp"
#include "store/blob/disk_blob_store.hpp"
#include "store/blob/magic_sniffer.hpp"

namespace hw {

namespace {

int fail(const std::string& message) {
  std::fprintf(stderr, "hallway: %s\n", message.c_str());  // NOLINT: logging may be off
  return 1;
}

// ---- Secrets ----

/// The server's two keys: guest tokens are signed with `jwt`, client addresses hashed with
/// `ip_hash` before they reach a log.
struct secrets {
  std::string jwt;
  std::string ip_hash;
};

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

std::optional<secrets> load_secrets(const config::config& cfg, std::string& error) {
  auto jwt = secret(cfg.jwt_secret, cfg.data_dir, "jwt.key", "jwt-secret", error);
  if (!jwt) return std::nullopt;
  auto ip_hash = secret(cfg.ip_hash_key, cfg.data_dir, "ip-hash.key", "ip-hash-key", error);
  if (!ip_hash) return std::nullopt;
  return secrets{std::move(*jwt), std::move(*ip_hash)};
}

// ---- Metrics and endpoints that belong to no component ----

void register_process_gauges(core::registry& metrics) {
  metrics.add_computed_gauge("hallway_process_resident_memory_bytes", "Resident memory (RSS)",
                             [] { return static_cast<double>(core::process_rss_bytes()); });
  metrics.get_gauge("hallway_build_info", "Build information", {{"version", HALLWAY_VERSION}})
      .set(1);
}

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
  add("hallway_files_live", "Shared files stored (their chats go on, their lifetime runs)",
      [](const snap& m) { return m.files_live; });
  add("hallway_file_bytes_stored", "Bytes of the shared files stored",
      [](const snap& m) { return m.file_bytes_stored; });
  add("hallway_file_upload_bytes_in_flight", "Bytes reserved by uploads under way",
      [](const snap& m) { return m.upload_bytes_in_flight; });
  metrics.add_computed_gauge("hallway_guest_sessions", "Guest sessions in the session store",
                             [&sessions] { return static_cast<double>(sessions.live()); });
}

// ---- The server's parts ----

/// Everything run_server builds. Members are declared in the order they are built, so they are
/// destroyed in reverse: the realtime parts (which own timers of the net::server's io_context)
/// before the net::server, and that before the handlers it calls. `cfg` must outlive it.
class server_parts {
 public:
  server_parts(const config::config& cfg, const secrets& keys, app::content_sniffer& sniffer);

  /// The file store's directory could not be made or used: a startup error naming the setting.
  [[nodiscard]] std::optional<std::string> files_error() const;
  /// Builds the net::server and binds its listeners; an error names the setting.
  std::optional<std::string> listen();
  /// Builds Engine.IO/Socket.IO, mounts every endpoint and installs the namespaces: `setup`'s,
  /// conformance mode's, or the chat gateway.
  void start_realtime(const std::function<void(socketio::server&)>& setup);
  /// Serves until shutdown; returns the process exit code.
  int run();
  /// Destroys the realtime parts while the io_context they use still exists.
  void teardown();

 private:
  net::server_hooks make_hooks();
  void start_chat();

  const config::config& cfg_;
  core::ip_hasher ip_hash_;
  core::registry metrics_;
  http::security_policy policy_;
  // Guests: sessions in memory (single instance), tokens signed with the JWT secret.
  app::system_clock clock_;
  state::memory::session_store sessions_;
  // Shared files: bytes under data-dir/files (blobs_ outlives the pool whose tasks use it),
  // records in memory, the domain on the app strand.
  store::blob::disk_blob_store blobs_;
  app::content_sniffer& sniffer_;
  core::blocking_pool file_pool_;
  gateway::file_janitor janitor_;
  state::memory::file_catalog file_catalog_;
  app::crypto_random random_;
  app::file_service files_;
  gateway::guest_rest guests_;
  gateway::stats_rest stats_api_;
  http::static_files web_;
  http::ops ops_;
  http::router router_;
  std::unique_ptr<net::server> srv_;
  std::unique_ptr<socketio::server> io_;
  std::unique_ptr<engineio::server> raw_engine_;  ///< conformance mode's /engine.io/
  std::unique_ptr<gateway::realtime> chat_;
  std::unique_ptr<gateway::files_rest> files_api_;
  std::unique_ptr<gateway::ice_rest> ice_api_;
};

state::memory::session_store make_session_store(const config::config& cfg,
                                                app::system_clock& clock) {
  const auto o = make_session_store_options(cfg);
  return {[&clock] { return clock.now(); }, o.ttl, o.max_sessions, o.max_per_owner};
}

server_parts::server_parts(const config::config& cfg, const secrets& keys,
                           app::content_sniffer& sniffer)
    : cfg_(cfg),
      ip_hash_(keys.ip_hash),
      policy_(make_security_policy(cfg)),
      sessions_(make_session_store(cfg, clock_)),
      blobs_(std::filesystem::path(cfg.data_dir) / "files"),
      sniffer_(sniffer),
      file_pool_(cfg.file_workers, 10'000),
      janitor_(blobs_, file_pool_, &metrics_),
      files_(file_catalog_, janitor_, clock_, random_, make_files_options(cfg)),
      guests_(make_guest_api_options(cfg, keys.jwt), sessions_, clock_),
      stats_api_([this] { return chat_ ? chat_->stats() : app::stats_snapshot{}; }),
      web_(make_static_options(cfg)),
      ops_([this] { return srv_ != nullptr && !srv_->draining(); }, metrics_),
      router_(policy_, ops_, web_) {
  register_process_gauges(metrics_);
  // Records live in memory only: whatever a previous run left on disk belongs to nobody.
  if (const auto n = blobs_.remove_all(); n > 0) core::log::info("files_cleared", {{"count", n}});
}

net::server_hooks server_parts::make_hooks() {
  net::server_hooks hooks;
  hooks.handler = &router_;
  hooks.decorate = [this](http::response& r, bool secure) {
    http::add_security_headers(r, policy_, secure);
  };
  hooks.ops_handler = &ops_;
  hooks.client_id = [this](std::string_view ip) { return ip_hash_.hash(ip); };
  hooks.metrics = &metrics_;
  hooks.on_drain = [this] {
    if (io_) io_->engine().drain();
    if (raw_engine_) raw_engine_->drain();
  };
  hooks.upgrade = [this](const http::request& req) -> net::upgrade_decision {
    if (req.path == "/socket.io/" && io_) return io_->engine().upgrade(req);
    if (req.path == "/engine.io/" && raw_engine_) return raw_engine_->upgrade(req);
    net::upgrade_decision refused;
    refused.refusal = http::make_error(core::wire_error::not_found, "no WebSocket endpoint here");
    return refused;
  };
  return hooks;
}

std::optional<std::string> server_parts::files_error() const {
  if (blobs_.error().empty()) return std::nullopt;
  return "invalid setting 'data-dir': " + blobs_.error();
}

std::optional<std::string> server_parts::listen() {
  auto srv = std::make_unique<net::server>(make_net_options(cfg_), make_hooks());
  if (auto err = srv->listen()) return err;
  srv_ = std::move(srv);  // from now on /readyz answers ready
  return std::nullopt;
}

void server_parts::start_realtime(const std::function<void(socketio::server&)>& setup) {
  const auto eio = make_engineio_options(cfg_);
  io_ = std::make_unique<socketio::server>(srv_->context(), eio, make_socketio_options(cfg_),
                                           &metrics_);
  router_.mount("/socket.io/", io_->engine());
  router_.mount("/api/guest", guests_);
  router_.mount("/api/stats", stats_api_);
  if (cfg_.conformance) {
    raw_engine_ = make_echo_engine(srv_->context(), eio);
    router_.mount("/engine.io/", *raw_engine_);
    setup_conformance(*io_);
  } else if (setup) {
    setup(*io_);
  } else {
    start_chat();
  }
  register_memory_gauges(metrics_, chat_, sessions_);
}

void server_parts::start_chat() {
  auto verify = [this](std::string_view token) { return guests_.check_token(token); };
  chat_ = std::make_unique<gateway::realtime>(
      srv_->context(), *io_, sessions_, verify, make_chat_options(cfg_),
      make_session_touch_interval(cfg_), &metrics_, &files_);
  files_api_ = std::make_unique<gateway::files_rest>(make_files_rest_options(cfg_), verify,
                                                     sessions_, *chat_, files_, blobs_, sniffer_,
                                                     file_pool_, &metrics_);
  router_.mount("/api/files", *files_api_);
  ice_api_ = std::make_unique<gateway::ice_rest>(make_ice_options(cfg_), verify, sessions_, clock_);
  router_.mount("/api/ice-servers", *ice_api_);
}

int server_parts::run() {
  if (!std::filesystem::exists(std::filesystem::path(cfg_.web_root) / "index.html")) {
    core::log::info("web_root_missing",
                    {{"web_root", cfg_.web_root}, {"note", "serving the built-in page"}});
  }
  return srv_->run();
}

void server_parts::teardown() {
  // Realtime state owns timers of the server's io_context: it goes first, the gateway (which
  // holds sockets) before the servers it holds them from.
  ice_api_.reset();
  files_api_.reset();
  chat_.reset();
  raw_engine_.reset();
  io_.reset();
}

}  // namespace

int run_server(const config::config& given, const std::function<void(socketio::server&)>& setup) {
  config::config cfg = given;
  if (cfg.conformance) apply_conformance_defaults(cfg);
  core::log::init(cfg.log_level, cfg.log_format);

  std::string error;
  const auto keys = load_secrets(cfg, error);
  if (!keys) return fail(error);

  auto sniffer = store::blob::magic_sniffer::create(error);
  if (!sniffer) return fail(error);

  server_parts parts(cfg, *keys, *sniffer);
  if (auto err = parts.files_error()) return fail(*err);
  if (auto err = parts.listen()) return fail(*err);
  parts.start_realtime(setup);
  const int code = parts.run();
  parts.teardown();
  core::log::info("exit", {{"code", code}});
  return code;
}

}  // namespace hw

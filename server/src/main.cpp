// Hallway server entry point: the only place that names concrete implementations.
// config → logging → secrets → handlers → network server → run until shutdown.

#include <cstdio>
#include <filesystem>
#include <string>
#include <vector>

#include "config/config.hpp"
#include "core/ip_hash.hpp"
#include "core/log.hpp"
#include "core/metrics.hpp"
#include "core/secrets.hpp"
#include "http/ops.hpp"
#include "http/router.hpp"
#include "http/security_headers.hpp"
#include "http/static_files.hpp"
#include "net/server.hpp"

namespace {

int fail(const std::string& message) {
  std::fprintf(stderr, "hallway: %s\n", message.c_str());  // NOLINT: before logging exists
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
  auto s =
      hw::core::load_or_create_secret(std::filesystem::path(data_dir) / "secrets" / file, error);
  if (!s) error = std::string("invalid setting 'data-dir': ") + error;
  return s;
}

}  // namespace

int main(int argc, char** argv) {
  using namespace hw;
  const std::vector<std::string> args(argv + 1, argv + argc);
  auto parsed = config::parse(args, config::process_environment());
  if (!parsed.cfg) {
    std::fputs(parsed.output.c_str(), parsed.exit_code == 0 ? stdout : stderr);
    return parsed.exit_code;
  }
  const config::config& cfg = *parsed.cfg;
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
  so.request_timeout = cfg.request_timeout;
  so.idle_timeout = cfg.idle_timeout;
  so.max_connections = cfg.max_connections;
  so.max_connections_per_ip = cfg.max_connections_per_ip;
  so.shutdown_grace = cfg.shutdown_grace;

  net::server_hooks hooks;
  hooks.handler = &router;
  hooks.decorate = [&policy](http::response& r) { http::add_security_headers(r, policy); };
  hooks.client_id = [&ip_hash](std::string_view ip) { return ip_hash.hash(ip); };
  hooks.metrics = &metrics;

  net::server srv(so, hooks);
  if (auto err = srv.listen()) return fail(*err);
  srv_ptr = &srv;
  if (!std::filesystem::exists(std::filesystem::path(cfg.web_root) / "index.html")) {
    core::log::info("web_root_missing",
                    {{"web_root", cfg.web_root}, {"note", "serving the built-in page"}});
  }
  const int code = srv.run();
  core::log::info("exit", {{"code", code}});
  return code;
}

#include "config/table.hpp"

#include <algorithm>
#include <charconv>
#include <cstdint>

#include <fmt/format.h>

#include "core/address.hpp"
#include "core/text.hpp"

namespace hw::config::table {

namespace {

// --- Setters: each validates one kind of value and stores it in one field ---

setter text(std::string config::*field, bool allow_empty = true) {
  return [field, allow_empty](config& c, std::string_view v) -> std::string {
    if (!allow_empty && v.empty()) return "must not be empty";
    c.*field = std::string(v);
    return {};
  };
}

setter one_of(std::string config::*field, const std::vector<std::string_view>& allowed) {
  return [field, allowed](config& c, std::string_view v) -> std::string {
    if (std::find(allowed.begin(), allowed.end(), v) == allowed.end()) {
      return fmt::format("must be one of: {}", fmt::join(allowed, ", "));
    }
    c.*field = std::string(v);
    return {};
  };
}

// "5/10": rate per second / burst.
setter rate_setter(rate config::*field) {
  return [field](config& c, std::string_view v) -> std::string {
    const auto slash = v.find('/');
    if (slash == std::string_view::npos) return "must be <per second>/<burst>, e.g. 5/10";
    auto r = parse_uint<std::uint32_t>(v.substr(0, slash));
    auto b = parse_uint<std::uint32_t>(v.substr(slash + 1));
    if (!r || !b || *r < 1 || *b < 1 || *r > 1'000'000 || *b > 1'000'000) {
      return "must be <per second>/<burst> with integers in [1, 1000000]";
    }
    c.*field = rate{static_cast<double>(*r), static_cast<double>(*b)};
    return {};
  };
}

// An integer in [min, max], stored as T; `what` is the error text.
template <typename T, typename Field>
setter integer(Field config::*field, T min, T max, std::string_view what) {
  return [=](config& c, std::string_view v) -> std::string {
    auto n = parse_uint<T>(v);
    if (!n || *n < min || *n > max) return std::string(what);
    c.*field = static_cast<Field>(*n);
    return {};
  };
}

setter count(std::size_t config::*field, std::size_t min, std::size_t max) {
  return [=](config& c, std::string_view v) -> std::string {
    auto n = parse_uint<std::size_t>(v);
    if (!n || *n < min || *n > max) return fmt::format("must be an integer in [{}, {}]", min, max);
    c.*field = *n;
    return {};
  };
}

setter size(std::size_t config::*field, std::size_t min, std::size_t max) {
  return [=](config& c, std::string_view v) -> std::string {
    auto n = parse_size(v);
    if (!n || *n < min || *n > max) {
      return fmt::format("must be a size in [{}, {}] bytes (e.g. 8KiB, 1MiB)", min, max);
    }
    c.*field = *n;
    return {};
  };
}

setter duration(millis config::*field, millis min, millis max) {
  return [=](config& c, std::string_view v) -> std::string {
    auto d = parse_duration(v);
    if (!d || *d < min || *d > max) {
      return fmt::format("must be a duration in [{}ms, {}ms] (e.g. 500ms, 10s, 2m)", min.count(),
                         max.count());
    }
    c.*field = *d;
    return {};
  };
}

setter flag(bool config::*field) {
  return [field](config& c, std::string_view v) -> std::string {
    if (v == "true" || v == "1") {
      c.*field = true;
    } else if (v == "false" || v == "0") {
      c.*field = false;
    } else {
      return "must be true or false";
    }
    return {};
  };
}

// Comma-separated origins (scheme://host[:port] or *), trimmed, without trailing slashes.
std::string set_origins(config& c, std::string_view v) {
  c.allowed_origins.clear();
  std::size_t start = 0;
  while (start <= v.size()) {
    auto end = v.find(',', start);
    if (end == std::string_view::npos) end = v.size();
    auto item = std::string(core::trim(v.substr(start, end - start)));
    if (!item.empty()) {
      if (item != "*" && item.find("://") == std::string::npos) {
        return fmt::format("'{}' is not an origin (scheme://host[:port]) or *", item);
      }
      while (item.size() > 1 && item.back() == '/')
        item.pop_back();
      c.allowed_origins.push_back(item);
    }
    start = end + 1;
  }
  return {};
}

std::string set_trusted_proxies(config& c, std::string_view v) {
  std::string bad;
  if (!core::parse_cidr_list(v, bad)) return fmt::format("'{}' is not a CIDR range", bad);
  c.trusted_proxies = std::string(v);
  return {};
}

std::string set_ops_listen(config& c, std::string_view v) {
  const auto colon = v.rfind(':');
  if (!v.empty() && (colon == std::string_view::npos || colon == 0 ||
                     !parse_uint<std::uint16_t>(v.substr(colon + 1)))) {
    return "must be host:port (e.g. 127.0.0.1:9464) or empty";
  }
  c.ops_listen = std::string(v);
  return {};
}

// --- How --help shows a default ---

std::string show(std::string_view s) {
  return std::string(s);
}
std::string show(std::size_t n) {
  return std::to_string(n);
}
std::string show(unsigned n) {
  return std::to_string(n);
}
std::string show(millis d) {
  return show_duration(d);
}
std::string show(rate r) {
  return fmt::format("{}/{}", static_cast<long long>(r.per_second),
                     static_cast<long long>(r.burst));
}

// --- The table, in groups (--help prints them in this order) ---

void add_network(std::vector<option>& t) {
  namespace d = defaults;
  t.insert(
      t.end(),
      {
          {"host", show(d::host), "Address to listen on (0.0.0.0 or :: for all interfaces)",
           text(&config::host, false)},
          {"port", show(unsigned{d::port}),
           "TCP port (0 = any free port; the bound port is logged)",
           integer<std::uint32_t>(&config::port, 0, 65535, "must be an integer in [0, 65535]")},
          {"threads", show(d::threads), "I/O threads (0 = one per core)",
           integer<unsigned>(&config::threads, 0, 256, "must be an integer in [0, 256]")},
          {"web-root", show(d::web_root), "Directory of the web app's static export",
           text(&config::web_root)},
          {"data-dir", show(d::data_dir), "Directory for secrets, the database and files",
           text(&config::data_dir, false)},
          {"log-level", show(d::log_level), "trace, debug, info, warn, error or off",
           one_of(&config::log_level, {"trace", "debug", "info", "warn", "error", "off"})},
          {"log-format", show(d::log_format), "json (one object per line) or text",
           one_of(&config::log_format, {"json", "text"})},
          {"tls-cert", "", "PEM certificate chain; enables HTTPS/WSS (needs --tls-key)",
           text(&config::tls_cert)},
          {"tls-key", "", "PEM private key for --tls-cert", text(&config::tls_key)},
          {"allowed-origins", "",
           "Comma-separated origins allowed cross-origin (empty = same origin)", set_origins},
      });
}

void add_http_limits(std::vector<option>& t) {
  namespace d = defaults;
  t.insert(
      t.end(),
      {
          {"max-header-bytes", show_size(d::max_header_bytes),
           "Largest request header block (431 beyond)",
           size(&config::max_header_bytes, 1024, 1UL << 20U)},
          {"max-body-bytes", show_size(d::max_body_bytes), "Largest request body (413 beyond)",
           size(&config::max_body_bytes, 1, 1UL << 30U)},
          {"request-timeout", show(d::request_timeout),
           "Time to receive a whole request (then the connection is closed)",
           duration(&config::request_timeout, millis{100}, millis{3'600'000})},
          {"idle-timeout", show(d::idle_timeout),
           "Keep-alive connection idle time before it is closed",
           duration(&config::idle_timeout, millis{100}, millis{86'400'000})},
          {"max-connections", show(d::max_connections), "Open connections in total (503 beyond)",
           count(&config::max_connections, 1, 10'000'000)},
          {"max-connections-per-ip", show(d::max_connections_per_ip),
           "Open connections per client address (429 beyond)",
           count(&config::max_connections_per_ip, 1, 10'000'000)},
          {"shutdown-grace", show(d::shutdown_grace),
           "On SIGTERM/SIGINT, time for in-flight requests to finish",
           duration(&config::shutdown_grace, millis{0}, millis{3'600'000})},
      });
}

void add_realtime(std::vector<option>& t) {
  namespace d = defaults;
  t.insert(t.end(), {
                        {"ping-interval", show(d::ping_interval),
                         "Engine.IO heartbeat: time between server pings",
                         duration(&config::ping_interval, millis{50}, millis{3'600'000})},
                        {"ping-timeout", show(d::ping_timeout),
                         "Engine.IO heartbeat: time a client has to answer a ping",
                         duration(&config::ping_timeout, millis{50}, millis{3'600'000})},
                        {"max-payload", show_size(d::max_payload),
                         "Largest Engine.IO message or polling body (bytes)",
                         size(&config::max_payload, 1024, 100UL << 20U)},
                        {"connect-timeout", show(d::connect_timeout),
                         "Time a new client has to join a namespace",
                         duration(&config::connect_timeout, millis{100}, millis{3'600'000})},
                        {"recovery-window", show(d::recovery_window),
                         "Connection state recovery window (0 = off)",
                         duration(&config::recovery_window, millis{0}, millis{86'400'000})},
                        {"max-connect-bytes", show_size(d::max_connect_bytes),
                         "Largest Socket.IO CONNECT packet (auth); CONNECT_ERROR beyond",
                         size(&config::max_connect_bytes, 256, 1UL << 20U)},
                        {"recovery-total-bytes", show_size(d::recovery_total_bytes),
                         "Memory all sockets waiting for recovery may hold; oldest dropped beyond",
                         size(&config::recovery_total_bytes, 0, 1UL << 40U)},
                        {"send-queue-bytes", show_size(d::send_queue_bytes),
                         "Per-connection send queue bound (slow readers cut off)",
                         size(&config::send_queue_bytes, 4096, 1UL << 30U)},
                        {"send-queue-grace", show(d::send_queue_grace),
                         "Time a send queue may stay over its bound",
                         duration(&config::send_queue_grace, millis{0}, millis{600'000})},
                    });
}

void add_chat_windows(std::vector<option>& t) {
  namespace d = defaults;
  t.insert(t.end(),
           {
               {"match-fallback", show(d::match_fallback),
                "Wait before a guest is matched without a shared interest",
                duration(&config::match_fallback, millis{0}, millis{3'600'000})},
               {"reconnect-grace", show(d::reconnect_grace),
                "Time a paired guest has to come back after a drop",
                duration(&config::reconnect_grace, millis{0}, millis{3'600'000})},
               {"retain-offline", show(d::retain_offline),
                "Time an offline guest's recent partners and rate limits are remembered (0 = "
                "forget at once)",
                duration(&config::retain_offline, millis{0}, millis{86'400'000})},
               {"report-window", show(d::report_window),
                "Time after a chat ended during which user:report may still report that partner",
                duration(&config::report_window, millis{0}, millis{86'400'000})},
               {"guest-create-rate", show(d::guest_create_rate),
                "Guests created per minute per client address",
                integer<std::uint32_t>(&config::guest_create_rate, 1, 1'000'000,
                                       "must be an integer in [1, 1000000]")},
           });
}

void add_chat_limits(std::vector<option>& t) {
  namespace d = defaults;
  t.insert(
      t.end(),
      {
          {"message-rate", show(d::message_rate), "Chat messages per second / burst, per guest",
           rate_setter(&config::message_rate)},
          {"typing-rate", show(d::typing_rate), "Typing events per second / burst, per guest",
           rate_setter(&config::typing_rate)},
          {"match-rate", show(d::match_rate),
           "user:match and user:next per second / burst, per guest",
           rate_setter(&config::match_rate)},
          {"receipt-rate", show(d::receipt_rate),
           "chat:delivered and chat:read per second / burst, per guest",
           rate_setter(&config::receipt_rate)},
          {"control-rate", show(d::control_rate),
           "stats:get, user:match:cancel, user:report, chat:leave (and aliases) per second / "
           "burst, per guest",
           rate_setter(&config::control_rate)},
          {"session-ttl", show(d::session_ttl), "Guest session inactivity lifetime (sliding)",
           duration(&config::session_ttl, millis{1'000}, millis{604'800'000})},
          {"token-lifetime", show(d::token_lifetime), "Guest token lifetime (JWT exp)",
           duration(&config::token_lifetime, millis{1'000}, millis{604'800'000})},
          {"conformance", "false", "Protocol test-suite mode (fixed settings, echo namespaces)",
           flag(&config::conformance)},
      });
}

// Proxies, address keys, ops listener, guest caps, secrets.
void add_files(std::vector<option>& t) {
  namespace d = defaults;
  t.insert(t.end(),
           {
               {"max-file-size", show_size(d::max_file_size),
                "Largest shared file (413 beyond, refused as soon as it is known)",
                size(&config::max_file_size, 1024, 1UL << 30U)},
               {"file-lifetime", show(d::file_lifetime),
                "Longest life of a shared file (its chat's end deletes it sooner)",
                duration(&config::file_lifetime, millis{1'000}, millis{604'800'000})},
               {"upload-limit", show(d::upload_limit),
                "File uploads per guest per 10 minutes (refused ones count)",
                integer<unsigned>(&config::upload_limit, 1, 100'000,
                                  "must be an integer in [1, 100000]")},
               {"guest-uploads-in-flight", show_size(d::uploads_in_flight_per_guest),
                "Bytes one guest may be uploading at once (429 beyond)",
                size(&config::uploads_in_flight_per_guest, 1024, 1UL << 40U)},
               {"uploads-in-flight", show_size(d::uploads_in_flight),
                "Bytes all guests may be uploading at once (503 beyond)",
                size(&config::uploads_in_flight, 1024, 1UL << 40U)},
               {"min-free-disk", show_size(d::min_free_disk),
                "Free space the data volume keeps: uploads are refused (507) below it",
                size(&config::min_free_disk, 0, 1UL << 50U)},
               {"file-workers", show(d::file_workers),
                "Threads for file I/O and type detection (never the I/O threads)",
                integer<unsigned>(&config::file_workers, 1, 64, "must be an integer in [1, 64]")},
           });
}

// Comma-separated STUN/TURN URLs: each must start with its scheme.
setter set_urls(std::vector<std::string> config::*field,
                const std::vector<std::string_view>& schemes) {
  return [field, schemes](config& c, std::string_view v) -> std::string {
    (c.*field).clear();
    std::size_t start = 0;
    while (start <= v.size()) {
      auto end = v.find(',', start);
      if (end == std::string_view::npos) end = v.size();
      auto item = std::string(core::trim(v.substr(start, end - start)));
      if (!item.empty()) {
        const bool ok = std::any_of(schemes.begin(), schemes.end(),
                                    [&](std::string_view s) { return item.starts_with(s); });
        if (!ok) return fmt::format("'{}' must start with {}", item, fmt::join(schemes, " or "));
        (c.*field).push_back(std::move(item));
      }
      start = end + 1;
    }
    return {};
  };
}

void add_calls(std::vector<option>& t) {
  namespace d = defaults;
  t.insert(
      t.end(),
      {
          {"ring-timeout", show(d::ring_timeout), "Time a call rings before it ends unanswered",
           duration(&config::ring_timeout, millis{1'000}, millis{600'000})},
          {"max-sdp-bytes", show_size(d::max_sdp_bytes), "Largest SDP of an offer or answer",
           size(&config::max_sdp_bytes, 1024, 1UL << 20U)},
          {"max-candidate-bytes", show_size(d::max_candidate_bytes), "Largest ICE candidate",
           size(&config::max_candidate_bytes, 128, 64UL << 10U)},
          {"signal-rate", show(d::signal_rate), "webrtc:* events per second / burst, per guest",
           rate_setter(&config::signal_rate)},
          {"stun-urls", "", "Comma-separated stun: URLs given to browsers",
           set_urls(&config::stun_urls, {"stun:", "stuns:"})},
          {"turn-urls", "",
           "Comma-separated turn:/turns: URLs of a TURN server (with --turn-secret)",
           set_urls(&config::turn_urls, {"turn:", "turns:"})},
          {"turn-secret", "", "coturn's static-auth-secret (time-limited credentials)",
           text(&config::turn_secret)},
          {"turn-ttl", show(d::turn_ttl), "Lifetime of TURN credentials",
           duration(&config::turn_ttl, millis{60'000}, millis{86'400'000})},
          {"call-privacy", show(d::call_privacy),
           "Calls of video chats: relay (TURN only, addresses hidden), direct, or auto "
           "(relay when TURN is configured)",
           one_of(&config::call_privacy, {"auto", "relay", "direct"})},
          {"call-privacy-text", show(d::call_privacy),
           "The same for calls started from a text chat",
           one_of(&config::call_privacy_text, {"auto", "relay", "direct"})},
      });
}

void add_guards(std::vector<option>& t) {
  namespace d = defaults;
  t.insert(
      t.end(),
      {
          {"trusted-proxies", "",
           "Comma-separated CIDRs of reverse proxies whose X-Forwarded-For/-Proto are used",
           set_trusted_proxies},
          {"ipv6-prefix", show(d::ipv6_prefix),
           "IPv6 clients share per-address limits per this prefix length",
           integer<unsigned>(&config::ipv6_prefix, 16, 128, "must be an integer in [16, 128]")},
          {"ops-listen", show(d::ops_listen),
           "host:port of the ops listener (/metrics; empty = off)", set_ops_listen},
          {"max-guests-per-ip", show(d::max_guests_per_ip),
           "Live guest sessions per client address (429 beyond)",
           count(&config::max_guests_per_ip, 1, 10'000'000)},
          {"max-sessions-per-ip", show(d::max_sessions_per_ip),
           "Engine.IO sessions open at once per client address (429 beyond; 0 = no cap)",
           count(&config::max_sessions_per_ip, 0, 10'000'000)},
          {"handshake-rate", show(d::handshake_rate),
           "Engine.IO handshakes per second / burst, per client address (429 beyond)",
           rate_setter(&config::handshake_rate)},
          {"jwt-secret", "", "HMAC key for guest tokens (default: generated in data-dir/secrets)",
           text(&config::jwt_secret)},
          {"ip-hash-key", "", "Key of the client-address hash in logs (default: generated)",
           text(&config::ip_hash_key)},
      });
}

}  // namespace

const std::vector<option>& options() {
  static const std::vector<option> rows = [] {
    std::vector<option> t;
    add_network(t);
    add_http_limits(t);
    add_realtime(t);
    add_chat_windows(t);
    add_chat_limits(t);
    add_files(t);
    add_calls(t);
    add_guards(t);
    return t;
  }();
  return rows;
}

std::string show_duration(millis d) {
  const auto ms = d.count();
  if (ms != 0 && ms % 3'600'000 == 0) return fmt::format("{}h", ms / 3'600'000);
  if (ms > 60'000 && ms % 60'000 == 0) return fmt::format("{}m", ms / 60'000);
  if (ms % 1000 == 0) return fmt::format("{}s", ms / 1000);
  return fmt::format("{}ms", ms);
}

std::string show_size(std::size_t bytes) {
  for (const auto& [shift, unit] : {std::pair{30U, "GiB"}, {20U, "MiB"}, {10U, "KiB"}}) {
    const std::size_t mask = (std::size_t{1} << shift) - 1;
    if (bytes != 0 && (bytes & mask) == 0) return fmt::format("{}{}", bytes >> shift, unit);
  }
  return std::to_string(bytes);
}

}  // namespace hw::config::table

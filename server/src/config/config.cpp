#include "config/config.hpp"

#include <algorithm>
#include <cctype>
#include <charconv>
#include <functional>
#include <limits>
#include <thread>

#include <fmt/format.h>

#include "core/address.hpp"
#include "core/text.hpp"

extern char** environ;  // NOLINT: POSIX, read once at start

namespace hw::config {

namespace {

// A setter returns an error text (without the setting name) or empty on success.
using setter = std::function<std::string(config&, std::string_view)>;

struct option {
  std::string_view name;  ///< flag name without "--"
  std::string_view def;   ///< default, as shown in --help
  std::string_view help;
  setter set;
};

template <typename T>
std::optional<T> parse_uint(std::string_view s) {
  T v{};
  const auto* end = s.data() + s.size();
  auto [p, ec] = std::from_chars(s.data(), end, v);
  if (ec != std::errc{} || p != end || s.empty()) return std::nullopt;
  return v;
}

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
setter rate_setter(config::rate config::*field) {
  return [field](config& c, std::string_view v) -> std::string {
    const auto slash = v.find('/');
    if (slash == std::string_view::npos) return "must be <per second>/<burst>, e.g. 5/10";
    auto r = parse_uint<std::uint32_t>(v.substr(0, slash));
    auto b = parse_uint<std::uint32_t>(v.substr(slash + 1));
    if (!r || !b || *r < 1 || *b < 1 || *r > 1'000'000 || *b > 1'000'000) {
      return "must be <per second>/<burst> with integers in [1, 1000000]";
    }
    c.*field = config::rate{static_cast<double>(*r), static_cast<double>(*b)};
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

const std::vector<option>& options() {
  static const std::vector<option> table = {
      {"host", "127.0.0.1", "Address to listen on (0.0.0.0 or :: for all interfaces)",
       text(&config::host, false)},
      {"port", "3000", "TCP port (0 = any free port; the bound port is logged)",
       [](config& c, std::string_view v) -> std::string {
         auto n = parse_uint<std::uint32_t>(v);
         if (!n || *n > 65535) return "must be an integer in [0, 65535]";
         c.port = static_cast<std::uint16_t>(*n);
         return {};
       }},
      {"threads", "0", "I/O threads (0 = one per core)",
       [](config& c, std::string_view v) -> std::string {
         auto n = parse_uint<unsigned>(v);
         if (!n || *n > 256) return "must be an integer in [0, 256]";
         c.threads = *n;
         return {};
       }},
      {"web-root", "web/out", "Directory of the web app's static export", text(&config::web_root)},
      {"data-dir", "data", "Directory for secrets, the database and files",
       text(&config::data_dir, false)},
      {"log-level", "info", "trace, debug, info, warn, error or off",
       one_of(&config::log_level, {"trace", "debug", "info", "warn", "error", "off"})},
      {"log-format", "json", "json (one object per line) or text",
       one_of(&config::log_format, {"json", "text"})},
      {"tls-cert", "", "PEM certificate chain; enables HTTPS/WSS (needs --tls-key)",
       text(&config::tls_cert)},
      {"tls-key", "", "PEM private key for --tls-cert", text(&config::tls_key)},
      {"allowed-origins", "", "Comma-separated origins allowed cross-origin (empty = same origin)",
       [](config& c, std::string_view v) -> std::string {
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
       }},
      {"max-header-bytes", "8KiB", "Largest request header block (431 beyond)",
       size(&config::max_header_bytes, 1024, 1UL << 20U)},
      {"max-body-bytes", "1MiB", "Largest request body (413 beyond)",
       size(&config::max_body_bytes, 1, 1UL << 30U)},
      {"request-timeout", "10s", "Time to receive a whole request (then the connection is closed)",
       duration(&config::request_timeout, millis{100}, millis{3'600'000})},
      {"idle-timeout", "60s", "Keep-alive connection idle time before it is closed",
       duration(&config::idle_timeout, millis{100}, millis{86'400'000})},
      {"max-connections", "10000", "Open connections in total (503 beyond)",
       count(&config::max_connections, 1, 10'000'000)},
      {"max-connections-per-ip", "256", "Open connections per client address (429 beyond)",
       count(&config::max_connections_per_ip, 1, 10'000'000)},
      {"shutdown-grace", "10s", "On SIGTERM/SIGINT, time for in-flight requests to finish",
       duration(&config::shutdown_grace, millis{0}, millis{3'600'000})},
      {"ping-interval", "25s", "Engine.IO heartbeat: time between server pings",
       duration(&config::ping_interval, millis{50}, millis{3'600'000})},
      {"ping-timeout", "20s", "Engine.IO heartbeat: time a client has to answer a ping",
       duration(&config::ping_timeout, millis{50}, millis{3'600'000})},
      {"max-payload", "1000000", "Largest Engine.IO message or polling body (bytes)",
       size(&config::max_payload, 1024, 100UL << 20U)},
      {"connect-timeout", "45s", "Time a new client has to join a namespace",
       duration(&config::connect_timeout, millis{100}, millis{3'600'000})},
      {"recovery-window", "2m", "Connection state recovery window (0 = off)",
       duration(&config::recovery_window, millis{0}, millis{86'400'000})},
      {"max-connect-bytes", "4KiB", "Largest Socket.IO CONNECT packet (auth); CONNECT_ERROR beyond",
       size(&config::max_connect_bytes, 256, 1UL << 20U)},
      {"recovery-total-bytes", "64MiB",
       "Memory all sockets waiting for recovery may hold; oldest dropped beyond",
       size(&config::recovery_total_bytes, 0, 1UL << 40U)},
      {"send-queue-bytes", "256KiB", "Per-connection send queue bound (slow readers cut off)",
       size(&config::send_queue_bytes, 4096, 1UL << 30U)},
      {"send-queue-grace", "5s", "Time a send queue may stay over its bound",
       duration(&config::send_queue_grace, millis{0}, millis{600'000})},
      {"match-fallback", "5s", "Wait before a guest is matched without a shared interest",
       duration(&config::match_fallback, millis{0}, millis{3'600'000})},
      {"reconnect-grace", "15s", "Time a paired guest has to come back after a drop",
       duration(&config::reconnect_grace, millis{0}, millis{3'600'000})},
      {"retain-offline", "10m",
       "Time an offline guest's recent partners and rate limits are remembered (0 = forget at "
       "once)",
       duration(&config::retain_offline, millis{0}, millis{86'400'000})},
      {"report-window", "5m",
       "Time after a chat ended during which user:report may still report that partner",
       duration(&config::report_window, millis{0}, millis{86'400'000})},
      {"guest-create-rate", "10", "Guests created per minute per client address",
       [](config& c, std::string_view v) -> std::string {
         auto n = parse_uint<std::uint32_t>(v);
         if (!n || *n < 1 || *n > 1'000'000) return "must be an integer in [1, 1000000]";
         c.guest_create_rate = *n;
         return {};
       }},
      {"message-rate", "5/10", "Chat messages per second / burst, per guest",
       rate_setter(&config::message_rate)},
      {"typing-rate", "4/4", "Typing events per second / burst, per guest",
       rate_setter(&config::typing_rate)},
      {"match-rate", "2/5", "user:match and user:next per second / burst, per guest",
       rate_setter(&config::match_rate)},
      {"receipt-rate", "20/40", "chat:delivered and chat:read per second / burst, per guest",
       rate_setter(&config::receipt_rate)},
      {"control-rate", "10/50",
       "stats:get, user:match:cancel, user:report, chat:leave (and aliases) per second / burst, "
       "per guest",
       rate_setter(&config::control_rate)},
      {"session-ttl", "2h", "Guest session inactivity lifetime (sliding)",
       duration(&config::session_ttl, millis{1'000}, millis{604'800'000})},
      {"token-lifetime", "2h", "Guest token lifetime (JWT exp)",
       duration(&config::token_lifetime, millis{1'000}, millis{604'800'000})},
      {"conformance", "false", "Protocol test-suite mode (fixed settings, echo namespaces)",
       [](config& c, std::string_view v) -> std::string {
         if (v == "true" || v == "1") {
           c.conformance = true;
         } else if (v == "false" || v == "0") {
           c.conformance = false;
         } else {
           return "must be true or false";
         }
         return {};
       }},
      // Proxies, address keys, ops listener, guest caps.
      {"trusted-proxies", "",
       "Comma-separated CIDRs of reverse proxies whose X-Forwarded-For/-Proto are used",
       [](config& c, std::string_view v) -> std::string {
         std::string bad;
         if (!core::parse_cidr_list(v, bad)) return fmt::format("'{}' is not a CIDR range", bad);
         c.trusted_proxies = std::string(v);
         return {};
       }},
      {"ipv6-prefix", "64", "IPv6 clients share per-address limits per this prefix length",
       [](config& c, std::string_view v) -> std::string {
         auto n = parse_uint<unsigned>(v);
         if (!n || *n < 16 || *n > 128) return "must be an integer in [16, 128]";
         c.ipv6_prefix = *n;
         return {};
       }},
      {"ops-listen", "127.0.0.1:9464", "host:port of the ops listener (/metrics; empty = off)",
       [](config& c, std::string_view v) -> std::string {
         const auto colon = v.rfind(':');
         if (!v.empty() && (colon == std::string_view::npos || colon == 0 ||
                            !parse_uint<std::uint16_t>(v.substr(colon + 1)))) {
           return "must be host:port (e.g. 127.0.0.1:9464) or empty";
         }
         c.ops_listen = std::string(v);
         return {};
       }},
      {"max-guests-per-ip", "50", "Live guest sessions per client address (429 beyond)",
       count(&config::max_guests_per_ip, 1, 10'000'000)},
      {"max-sessions-per-ip", "64",
       "Engine.IO sessions open at once per client address (429 beyond; 0 = no cap)",
       count(&config::max_sessions_per_ip, 0, 10'000'000)},
      {"handshake-rate", "10/30",
       "Engine.IO handshakes per second / burst, per client address (429 beyond)",
       rate_setter(&config::handshake_rate)},
      {"jwt-secret", "", "HMAC key for guest tokens (default: generated in data-dir/secrets)",
       text(&config::jwt_secret)},
      {"ip-hash-key", "", "Key of the client-address hash in logs (default: generated)",
       text(&config::ip_hash_key)},
  };
  return table;
}

std::string env_name(std::string_view flag) {
  std::string out = "HALLWAY_";
  for (char ch : flag) {
    out += ch == '-' ? '_' : static_cast<char>(std::toupper(static_cast<unsigned char>(ch)));
  }
  return out;
}

const option* find_option(std::string_view name) {
  for (const auto& o : options()) {
    if (o.name == name) return &o;
  }
  return nullptr;
}

}  // namespace

std::optional<millis> parse_duration(std::string_view s) {
  std::size_t i = 0;
  while (i < s.size() && std::isdigit(static_cast<unsigned char>(s[i])))
    ++i;
  auto n = parse_uint<std::uint64_t>(s.substr(0, i));
  if (!n) return std::nullopt;
  const auto unit = s.substr(i);
  std::uint64_t mult = 0;
  if (unit.empty() || unit == "s")
    mult = 1000;
  else if (unit == "ms")
    mult = 1;
  else if (unit == "m")
    mult = 60'000;
  else if (unit == "h")
    mult = 3'600'000;
  else
    return std::nullopt;
  if (*n > std::numeric_limits<std::int64_t>::max() / mult / 2) return std::nullopt;
  return millis{static_cast<millis::rep>(*n * mult)};
}

std::optional<std::size_t> parse_size(std::string_view s) {
  std::size_t i = 0;
  while (i < s.size() && std::isdigit(static_cast<unsigned char>(s[i])))
    ++i;
  auto n = parse_uint<std::uint64_t>(s.substr(0, i));
  if (!n) return std::nullopt;
  std::string unit(core::trim(s.substr(i)));
  std::transform(unit.begin(), unit.end(), unit.begin(),
                 [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
  unsigned shift = 0;
  if (unit.empty() || unit == "b")
    shift = 0;
  else if (unit == "k" || unit == "kb" || unit == "kib")
    shift = 10;
  else if (unit == "m" || unit == "mb" || unit == "mib")
    shift = 20;
  else if (unit == "g" || unit == "gb" || unit == "gib")
    shift = 30;
  else
    return std::nullopt;
  if (*n > (std::numeric_limits<std::size_t>::max() >> (shift + 1))) return std::nullopt;
  return static_cast<std::size_t>(*n << shift);
}

std::string help_text() {
  std::string out =
      "Usage: hallway [options]\n\n"
      "Anonymous random chat server. Every option is also read from the environment variable\n"
      "shown (the flag wins). Durations: 500ms, 10s, 2m, 1h (bare number = seconds).\n"
      "Sizes: 512, 8KiB, 1MiB (bare number = bytes).\n\nOptions:\n";
  for (const auto& o : options()) {
    out += fmt::format("  --{:<24} {}\n  {:<26} env {}, default: {}\n", o.name, o.help, "",
                       env_name(o.name), o.def.empty() ? "(none)" : o.def);
  }
  out +=
      "  --help                     Show this text\n  --version                  Show the "
      "version\n"
      "  --list-events              Print the realtime event names as JSON "
      "{\"client\":[...],\"server\":[...]}\n";
  return out;
}

parse_result parse(const std::vector<std::string>& args,
                   const std::map<std::string, std::string>& env) {
  parse_result result;
  config c;
  const auto fail = [&](std::string_view name, std::string_view why) {
    result.cfg.reset();
    result.exit_code = 2;
    result.output = fmt::format("hallway: invalid setting '{}': {}\n", name, why);
    return result;
  };

  // Environment first, so flags override it.
  for (const auto& o : options()) {
    if (auto it = env.find(env_name(o.name)); it != env.end()) {
      if (auto err = o.set(c, it->second); !err.empty()) {
        return fail(fmt::format("{} (from {})", o.name, env_name(o.name)), err);
      }
      c.explicitly_set.emplace(o.name);
    }
  }
  for (std::size_t i = 0; i < args.size(); ++i) {
    std::string_view a = args[i];
    if (a == "--help" || a == "-h") {
      result.output = help_text();
      return result;
    }
    if (a == "--version") {
      result.output = fmt::format("hallway {}\n", HALLWAY_VERSION);
      return result;
    }
    if (a == "--list-events") {
      result.list_events = true;
      return result;
    }
    if (!a.starts_with("--")) return fail(a, "unexpected argument (flags start with --)");
    a.remove_prefix(2);
    std::string value;
    if (auto eq = a.find('='); eq != std::string_view::npos) {
      value = std::string(a.substr(eq + 1));
      a = a.substr(0, eq);
    } else if (a == "conformance") {  // the one boolean flag: its presence means true
      value = "true";
    } else {
      if (i + 1 >= args.size()) return fail(a, "missing value");
      value = args[++i];
    }
    const option* o = find_option(a);
    if (o == nullptr) return fail(a, "unknown option (see --help)");
    if (auto err = o->set(c, value); !err.empty()) return fail(a, err);
    c.explicitly_set.emplace(o->name);
  }

  if (c.tls_cert.empty() != c.tls_key.empty()) {
    return fail(c.tls_cert.empty() ? "tls-cert" : "tls-key",
                "--tls-cert and --tls-key must be given together");
  }
  if (c.threads == 0) c.threads = std::max(1U, std::thread::hardware_concurrency());
  result.cfg = std::move(c);
  return result;
}

std::map<std::string, std::string> process_environment() {
  std::map<std::string, std::string> env;
  for (char** e = environ; e != nullptr && *e != nullptr; ++e) {
    std::string_view kv(*e);
    if (!kv.starts_with("HALLWAY_")) continue;
    if (auto eq = kv.find('='); eq != std::string_view::npos) {
      env.emplace(kv.substr(0, eq), kv.substr(eq + 1));
    }
  }
  return env;
}

}  // namespace hw::config

#pragma once
// The one typed configuration of the server. Every setting is a CLI flag (`--name value` or
// `--name=value`) and an environment variable (`HALLWAY_NAME`); the flag wins. Values are
// validated at start: a bad value is a startup error naming the setting (Envoy's rule: crash on
// bad startup config, never on bad input).

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <map>
#include <optional>
#include <set>
#include <string>
#include <string_view>
#include <vector>

namespace hw::config {

using millis = std::chrono::milliseconds;

struct config {
  // Network
  std::string host = "127.0.0.1";
  std::uint16_t port = 3000;
  unsigned threads = 0;  ///< 0 = one per core.
  std::string tls_cert;
  std::string tls_key;
  std::vector<std::string> allowed_origins;  ///< Empty = same origin only.

  // Files
  std::string web_root = "web/out";
  std::string data_dir = "data";

  // Logging
  std::string log_level = "info";
  std::string log_format = "json";

  // HTTP limits
  std::size_t max_header_bytes = 8UL << 10U;
  std::size_t max_body_bytes = 1UL << 20U;
  millis request_timeout{10'000};
  millis idle_timeout{60'000};
  std::size_t max_connections = 10'000;
  std::size_t max_connections_per_ip = 256;
  millis shutdown_grace{10'000};

  // Realtime (Engine.IO / Socket.IO)
  millis ping_interval{25'000};
  millis ping_timeout{20'000};
  std::size_t max_payload = 1'000'000;
  millis connect_timeout{45'000};
  millis recovery_window{120'000};
  std::size_t send_queue_bytes = 256UL << 10U;
  millis send_queue_grace{5'000};
  // Issue 7 (socketio buffers): CONNECT size cap and the global recovery budget.
  std::size_t max_connect_bytes = 4096;
  std::size_t recovery_total_bytes = 64UL << 20U;
  // Chat
  millis match_fallback{5'000};
  millis reconnect_grace{15'000};
  /// Issue 8: how long an offline guest's small memory (recent partners, limits) is kept.
  millis retain_offline{600'000};
  /// Issue 9: how long after a chat ended user:report may still name that partner.
  millis report_window{300'000};
  double guest_create_rate = 10;  ///< guests per minute per client address
  /// Per-guest token buckets: events per second and burst.
  struct rate {
    double per_second;
    double burst;
  };
  rate message_rate{5, 10};
  rate typing_rate{4, 4};
  rate match_rate{2, 5};
  rate receipt_rate{20, 40};
  rate control_rate{10, 50};
  millis session_ttl{7'200'000};
  millis token_lifetime{7'200'000};
  /// Protocol test-suite mode (see docs/protocol.md): fixed settings, echo namespaces.
  bool conformance = false;
  // Engine.IO sessions per client address (429 beyond): live at once, and handshakes/s / burst.
  std::size_t max_sessions_per_ip = 64;
  rate handshake_rate{10, 30};

  /// Names of the settings given explicitly (flag or environment), e.g. "ping-interval": what
  /// --conformance must not override.
  std::set<std::string, std::less<>> explicitly_set;
  [[nodiscard]] bool given(std::string_view name) const { return explicitly_set.contains(name); }

  // Proxies, address keys, ops listener, guest caps (issue 7: items 4, 9, 12)
  std::string trusted_proxies;  ///< CIDR list whose X-Forwarded-For/-Proto are believed
  unsigned ipv6_prefix = 64;    ///< IPv6 clients are keyed per /ipv6_prefix
  std::string ops_listen = "127.0.0.1:9464";  ///< /metrics, /healthz, /readyz; empty = off
  std::size_t max_guests_per_ip = 50;         ///< live guest sessions per client address

  // Secrets (generated under data_dir when empty)
  std::string jwt_secret;
  std::string ip_hash_key;

  [[nodiscard]] bool tls() const { return !tls_cert.empty(); }
};

/// Outcome of parsing: run with `cfg`, or print `output` and exit with `exit_code`, or (with
/// `list_events`) print the realtime event table and exit 0: the table lives above this layer,
/// so main() prints it.
struct parse_result {
  std::optional<config> cfg;
  std::string output;  ///< --help/--version text (stdout) or the error (stderr).
  int exit_code = 0;
  bool list_events = false;  ///< --list-events was given
};

/// Parses argv and the environment (`env`, name → value; pass the process environment).
/// Pure: touches no file, so it is unit-testable.
parse_result parse(const std::vector<std::string>& args,
                   const std::map<std::string, std::string>& env);

/// The `--help` text: every flag, its environment variable, its default and meaning.
std::string help_text();

/// "10s", "250ms", "2m", "1h"; a bare number is seconds.
std::optional<millis> parse_duration(std::string_view s);
/// "512", "8KiB", "1MiB", "2GiB" (also KB/MB/GB as powers of 1024, and k/m/g).
std::optional<std::size_t> parse_size(std::string_view s);

/// Reads the process environment into a map.
std::map<std::string, std::string> process_environment();

}  // namespace hw::config

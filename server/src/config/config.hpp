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

#include "config/defaults.hpp"

namespace hw::config {

using millis = std::chrono::milliseconds;

struct config {
  // Defaults: config/defaults.hpp (one place for the table, --help and the components).
  // Network
  std::string host{defaults::host};
  std::uint16_t port = defaults::port;
  unsigned threads = defaults::threads;  ///< 0 = one per core.
  std::string tls_cert;
  std::string tls_key;
  std::vector<std::string> allowed_origins;  ///< Empty = same origin only.

  // Files
  std::string web_root{defaults::web_root};
  std::string data_dir{defaults::data_dir};

  // Logging
  std::string log_level{defaults::log_level};
  std::string log_format{defaults::log_format};

  // HTTP limits
  std::size_t max_header_bytes = defaults::max_header_bytes;
  std::size_t max_body_bytes = defaults::max_body_bytes;
  millis request_timeout = defaults::request_timeout;
  millis idle_timeout = defaults::idle_timeout;
  std::size_t max_connections = defaults::max_connections;
  std::size_t max_connections_per_ip = defaults::max_connections_per_ip;
  millis shutdown_grace = defaults::shutdown_grace;

  // Realtime (Engine.IO / Socket.IO)
  millis ping_interval = defaults::ping_interval;
  millis ping_timeout = defaults::ping_timeout;
  std::size_t max_payload = defaults::max_payload;
  millis connect_timeout = defaults::connect_timeout;
  millis recovery_window = defaults::recovery_window;
  std::size_t send_queue_bytes = defaults::send_queue_bytes;
  millis send_queue_grace = defaults::send_queue_grace;
  // Issue 7 (socketio buffers): CONNECT size cap and the global recovery budget.
  std::size_t max_connect_bytes = defaults::max_connect_bytes;
  std::size_t recovery_total_bytes = defaults::recovery_total_bytes;
  // Chat
  millis match_fallback = defaults::match_fallback;
  millis reconnect_grace = defaults::reconnect_grace;
  /// Issue 8: how long an offline guest's small memory (recent partners, limits) is kept.
  millis retain_offline = defaults::retain_offline;
  /// Issue 9: how long after a chat ended user:report may still name that partner.
  millis report_window = defaults::report_window;
  double guest_create_rate = defaults::guest_create_rate;  ///< guests per minute per address
  /// Per-guest token buckets: events per second and burst.
  using rate = hw::config::rate;
  rate message_rate = defaults::message_rate;
  rate typing_rate = defaults::typing_rate;
  rate match_rate = defaults::match_rate;
  rate receipt_rate = defaults::receipt_rate;
  rate control_rate = defaults::control_rate;
  millis session_ttl = defaults::session_ttl;
  millis token_lifetime = defaults::token_lifetime;
  /// Protocol test-suite mode (see docs/protocol.md): fixed settings, echo namespaces.
  bool conformance = false;
  // Engine.IO sessions per client address (429 beyond): live at once, and handshakes/s / burst.
  std::size_t max_sessions_per_ip = defaults::max_sessions_per_ip;
  rate handshake_rate = defaults::handshake_rate;

  /// Names of the settings given explicitly (flag or environment), e.g. "ping-interval": what
  /// --conformance must not override.
  std::set<std::string, std::less<>> explicitly_set;
  [[nodiscard]] bool given(std::string_view name) const { return explicitly_set.contains(name); }

  // Proxies, address keys, ops listener, guest caps (issue 7: items 4, 9, 12)
  std::string trusted_proxies;  ///< CIDR list whose X-Forwarded-For/-Proto are believed
  unsigned ipv6_prefix = defaults::ipv6_prefix;  ///< IPv6 clients are keyed per /ipv6_prefix
  std::string ops_listen{defaults::ops_listen};  ///< /metrics, /healthz, /readyz; empty = off
  std::size_t max_guests_per_ip = defaults::max_guests_per_ip;  ///< live guest sessions/address

  // Shared files (issue 11): stored under data_dir/files
  std::size_t max_file_size = defaults::max_file_size;
  millis file_lifetime = defaults::file_lifetime;
  unsigned upload_limit = defaults::upload_limit;  ///< per guest per defaults::upload_window
  std::size_t uploads_in_flight_per_guest = defaults::uploads_in_flight_per_guest;
  std::size_t uploads_in_flight = defaults::uploads_in_flight;
  std::size_t min_free_disk = defaults::min_free_disk;
  unsigned file_workers = defaults::file_workers;

  // Calls (issue 12)
  millis ring_timeout = defaults::ring_timeout;
  std::size_t max_sdp_bytes = defaults::max_sdp_bytes;
  std::size_t max_candidate_bytes = defaults::max_candidate_bytes;
  rate signal_rate = defaults::signal_rate;
  std::vector<std::string> stun_urls;
  std::vector<std::string> turn_urls;
  std::string turn_secret;
  millis turn_ttl = defaults::turn_ttl;
  /// auto, relay or direct: video-mode chats and text-mode chats. auto = relay when a TURN
  /// server is configured (turn_urls and turn_secret), else direct.
  std::string call_privacy{defaults::call_privacy};
  std::string call_privacy_text{defaults::call_privacy};
  [[nodiscard]] bool turn() const { return !turn_urls.empty() && !turn_secret.empty(); }

  // Secrets (generated under data_dir when empty)
  std::string jwt_secret;
  std::string ip_hash_key;

  [[nodiscard]] bool tls() const { return !tls_cert.empty(); }
  friend bool operator==(const config&, const config&) = default;
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

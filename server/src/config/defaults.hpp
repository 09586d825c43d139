#pragma once
// Every setting's default, written once. config's option table starts from these values and
// shows them in --help; the option structs of the components (net::server_options,
// engineio::options, socketio::options) take the same constants, so a component built without
// the config (a unit test, a tool) behaves like the configured server.
// Standard library only, so that any layer may include it without depending on config.hpp.

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <string_view>

namespace hw::config {

/// A token bucket's refill rate (events per second) and burst.
struct rate {
  double per_second;
  double burst;
  friend bool operator==(const rate&, const rate&) = default;
};

namespace defaults {

using millis = std::chrono::milliseconds;

// Network, files, logging
inline constexpr std::string_view host = "127.0.0.1";
inline constexpr std::uint16_t port = 3000;
inline constexpr unsigned threads = 0;  ///< 0 = one per core
inline constexpr std::string_view web_root = "web/out";
inline constexpr std::string_view data_dir = "data";
inline constexpr std::string_view log_level = "info";
inline constexpr std::string_view log_format = "json";

// HTTP limits
inline constexpr std::size_t max_header_bytes = 8UL << 10U;
inline constexpr std::size_t max_body_bytes = 1UL << 20U;
inline constexpr millis request_timeout{10'000};
inline constexpr millis idle_timeout{60'000};
inline constexpr std::size_t max_connections = 10'000;
inline constexpr std::size_t max_connections_per_ip = 256;
inline constexpr millis shutdown_grace{10'000};

// Realtime (Engine.IO / Socket.IO)
inline constexpr millis ping_interval{25'000};
inline constexpr millis ping_timeout{20'000};
inline constexpr std::size_t max_payload = 1'000'000;
inline constexpr millis connect_timeout{45'000};
inline constexpr millis recovery_window{120'000};
inline constexpr std::size_t send_queue_bytes = 256UL << 10U;
inline constexpr millis send_queue_grace{5'000};
inline constexpr std::size_t max_connect_bytes = 4096;
inline constexpr std::size_t recovery_total_bytes = 64UL << 20U;
inline constexpr std::size_t max_sessions_per_ip = 64;  ///< 0 = no cap
inline constexpr rate handshake_rate{10, 30};

// Chat
inline constexpr millis match_fallback{5'000};
inline constexpr millis reconnect_grace{15'000};
inline constexpr millis retain_offline{600'000};
inline constexpr millis report_window{300'000};
inline constexpr unsigned guest_create_rate = 10;  ///< guests per minute per client address
inline constexpr rate message_rate{5, 10};
inline constexpr rate typing_rate{4, 4};
inline constexpr rate match_rate{2, 5};
inline constexpr rate receipt_rate{20, 40};
inline constexpr rate control_rate{10, 50};
inline constexpr millis session_ttl{7'200'000};
inline constexpr millis token_lifetime{7'200'000};

// Shared files (issue 11)
inline constexpr std::size_t max_file_size = 10UL << 20U;
inline constexpr millis file_lifetime{86'400'000};
inline constexpr unsigned upload_limit = 10;  ///< uploads per guest per upload_window
inline constexpr millis upload_window{600'000};
inline constexpr std::size_t uploads_in_flight_per_guest = 20UL << 20U;
inline constexpr std::size_t uploads_in_flight = 256UL << 20U;
inline constexpr std::size_t min_free_disk = 512UL << 20U;
inline constexpr unsigned file_workers = 2;

// Calls (issue 12)
inline constexpr millis ring_timeout{30'000};
inline constexpr std::size_t max_sdp_bytes = 16UL << 10U;
inline constexpr std::size_t max_candidate_bytes = 1UL << 10U;
inline constexpr rate signal_rate{50, 200};
inline constexpr millis turn_ttl{3'600'000};
inline constexpr std::string_view call_privacy = "auto";  ///< relay when TURN is configured

// Proxies, address keys, ops listener, guest caps
inline constexpr unsigned ipv6_prefix = 64;
inline constexpr std::string_view ops_listen = "127.0.0.1:9464";  ///< empty = off
inline constexpr std::size_t max_guests_per_ip = 50;

}  // namespace defaults
}  // namespace hw::config

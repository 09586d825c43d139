// config → component options (options.cpp) and --conformance's settings (conformance.cpp).
#include "options.hpp"

#include <gtest/gtest.h>

#include "conformance.hpp"

namespace hw {
namespace {

using std::chrono::milliseconds;

config::config parsed(const std::vector<std::string>& args) {
  auto r = config::parse(args, {});
  EXPECT_TRUE(r.cfg) << r.output;
  return r.cfg.value_or(config::config{});
}

// Every setting set to a value that is no default, so a forgotten copy shows.
config::config unusual() {
  return parsed({"--host=0.0.0.0",
                 "--port=4321",
                 "--threads=3",
                 "--tls-cert=c.pem",
                 "--tls-key=k.pem",
                 "--allowed-origins=https://a.example",
                 "--web-root=/srv/www",
                 "--max-header-bytes=16KiB",
                 "--max-body-bytes=2MiB",
                 "--request-timeout=11s",
                 "--idle-timeout=61s",
                 "--max-connections=1234",
                 "--max-connections-per-ip=12",
                 "--shutdown-grace=3s",
                 "--ping-interval=7s",
                 "--ping-timeout=6s",
                 "--max-payload=2000000",
                 "--connect-timeout=9s",
                 "--recovery-window=33s",
                 "--max-connect-bytes=8KiB",
                 "--recovery-total-bytes=1MiB",
                 "--send-queue-bytes=128KiB",
                 "--send-queue-grace=4s",
                 "--match-fallback=8s",
                 "--reconnect-grace=16s",
                 "--retain-offline=11m",
                 "--report-window=6m",
                 "--guest-create-rate=30",
                 "--message-rate=6/11",
                 "--typing-rate=5/6",
                 "--match-rate=3/7",
                 "--receipt-rate=21/41",
                 "--control-rate=11/51",
                 "--session-ttl=20m",
                 "--token-lifetime=3h",
                 "--trusted-proxies=10.0.0.0/8",
                 "--ipv6-prefix=56",
                 "--ops-listen=127.0.0.1:9999",
                 "--max-guests-per-ip=7",
                 "--max-sessions-per-ip=9",
                 "--handshake-rate=4/8",
                 "--max-file-size=5MiB",
                 "--file-lifetime=2h",
                 "--upload-limit=20",
                 "--guest-uploads-in-flight=30MiB",
                 "--uploads-in-flight=100MiB",
                 "--min-free-disk=1GiB",
                 "--file-workers=3"});
}

TEST(WiringOptions, NetGetsListenerLimitsQueuesAndProxies) {
  const auto c = unusual();
  const auto o = make_net_options(c);
  EXPECT_EQ(o.host, "0.0.0.0");
  EXPECT_EQ(o.port, 4321);
  EXPECT_EQ(o.threads, 3U);
  EXPECT_EQ(o.tls_cert, "c.pem");
  EXPECT_EQ(o.tls_key, "k.pem");
  EXPECT_EQ(o.max_header_bytes, 16U << 10U);
  EXPECT_EQ(o.max_body_bytes, 2U << 20U);
  EXPECT_EQ(o.request_timeout, milliseconds{11'000});
  EXPECT_EQ(o.idle_timeout, milliseconds{61'000});
  EXPECT_EQ(o.max_connections, 1234U);
  EXPECT_EQ(o.max_connections_per_ip, 12U);
  EXPECT_EQ(o.shutdown_grace, milliseconds{3'000});
  EXPECT_EQ(o.send_queue_bytes, 128U << 10U);
  EXPECT_EQ(o.send_queue_grace, milliseconds{4'000});
  EXPECT_EQ(o.trusted_proxies, "10.0.0.0/8");
  EXPECT_EQ(o.ipv6_prefix, 56U);
  EXPECT_EQ(o.ops_listen, "127.0.0.1:9999");
}

TEST(WiringOptions, EngineIoGetsHeartbeatPayloadAndPerAddressLimits) {
  const auto o = make_engineio_options(unusual());
  EXPECT_EQ(o.ping_interval, milliseconds{7'000});
  EXPECT_EQ(o.ping_timeout, milliseconds{6'000});
  EXPECT_EQ(o.max_payload, 2'000'000U);
  EXPECT_EQ(o.send_queue_bytes, 128U << 10U);
  EXPECT_EQ(o.max_sessions, 1234U);  // one session per connection at most
  EXPECT_EQ(o.allowed_origins, std::vector<std::string>{"https://a.example"});
  EXPECT_EQ(o.max_sessions_per_client, 9U);
  EXPECT_EQ(o.handshake_rate, 4);
  EXPECT_EQ(o.handshake_burst, 8);
}

TEST(WiringOptions, SocketIoGetsConnectAndRecovery) {
  const auto o = make_socketio_options(unusual());
  EXPECT_EQ(o.connect_timeout, milliseconds{9'000});
  EXPECT_EQ(o.recovery_window, milliseconds{33'000});
  EXPECT_EQ(o.max_connect_bytes, 8U << 10U);
  EXPECT_EQ(o.recovery_total_bytes, 1U << 20U);
}

TEST(WiringOptions, ChatGetsWindowsAndRateLimits) {
  const auto o = make_chat_options(unusual());
  EXPECT_EQ(o.matching.fallback, milliseconds{8'000});
  EXPECT_EQ(o.reconnect_grace, milliseconds{16'000});
  EXPECT_EQ(o.retain_offline, milliseconds{660'000});
  EXPECT_EQ(o.report_window, milliseconds{360'000});
  const auto eq = [](app::bucket_config b, double rate, double burst) {
    return b.rate == rate && b.burst == burst;
  };
  EXPECT_TRUE(eq(o.message_limit, 6, 11));
  EXPECT_TRUE(eq(o.typing_limit, 5, 6));
  EXPECT_TRUE(eq(o.match_limit, 3, 7));
  EXPECT_TRUE(eq(o.receipt_limit, 21, 41));
  EXPECT_TRUE(eq(o.control_limit, 11, 51));
}

TEST(WiringOptions, GuestsHttpAndSessionStore) {
  const auto c = unusual();
  const auto g = make_guest_api_options(c, "k");
  EXPECT_EQ(g.jwt_key, "k");
  EXPECT_EQ(g.token_lifetime, std::chrono::seconds{3 * 3600});
  EXPECT_EQ(g.create_limit.rate, 30 / 60.0);  // per minute
  EXPECT_EQ(g.create_limit.burst, 30);
  EXPECT_EQ(make_static_options(c).root, "/srv/www");
  const auto p = make_security_policy(c);
  EXPECT_TRUE(p.tls);
  EXPECT_EQ(p.allowed_origins, std::vector<std::string>{"https://a.example"});
  const auto s = make_session_store_options(c);
  EXPECT_EQ(s.ttl, milliseconds{1'200'000});
  EXPECT_EQ(s.max_sessions, 12'340U);
  EXPECT_EQ(s.max_per_owner, 7U);
  // A quarter of the TTL, at most a minute.
  EXPECT_EQ(make_session_touch_interval(parsed({"--session-ttl=2m"})), milliseconds{30'000});
  EXPECT_EQ(make_session_touch_interval(c), milliseconds{60'000});
}

// The components' own defaults are the server's (config/defaults.hpp): a component built
// without the config behaves like the configured server.
TEST(WiringOptions, FilesGetSizesLifetimeRatesAndTheDiskFloor) {
  const auto c = unusual();
  const auto f = make_files_options(c);
  EXPECT_EQ(f.max_file_bytes, 5U << 20U);
  EXPECT_EQ(f.max_lifetime, milliseconds{7'200'000});
  EXPECT_DOUBLE_EQ(f.upload_limit.burst, 20.0);
  EXPECT_DOUBLE_EQ(f.upload_limit.rate, 20.0 / 600.0);
  EXPECT_EQ(f.max_in_flight_per_guest, 30U << 20U);
  EXPECT_EQ(f.max_in_flight_total, 100U << 20U);
  EXPECT_EQ(make_files_rest_options(c).min_free_bytes, 1ULL << 30U);
  EXPECT_EQ(c.file_workers, 3U);
}

TEST(WiringOptions, ComponentDefaultsAreTheConfigDefaults) {
  const config::config c;
  const engineio::options e;
  const auto ce = make_engineio_options(c);
  EXPECT_EQ(e.ping_interval, ce.ping_interval);
  EXPECT_EQ(e.ping_timeout, ce.ping_timeout);
  EXPECT_EQ(e.max_payload, ce.max_payload);
  EXPECT_EQ(e.send_queue_bytes, ce.send_queue_bytes);
  EXPECT_EQ(e.max_sessions, ce.max_sessions);
  EXPECT_EQ(e.max_sessions_per_client, ce.max_sessions_per_client);
  EXPECT_EQ(e.handshake_rate, ce.handshake_rate);
  EXPECT_EQ(e.handshake_burst, ce.handshake_burst);
  const socketio::options s;
  const auto cs = make_socketio_options(c);
  EXPECT_EQ(s.connect_timeout, cs.connect_timeout);
  EXPECT_EQ(s.recovery_window, cs.recovery_window);
  EXPECT_EQ(s.max_connect_bytes, cs.max_connect_bytes);
  EXPECT_EQ(s.recovery_total_bytes, cs.recovery_total_bytes);
  const net::server_options n;
  const auto cn = make_net_options(c);
  EXPECT_EQ(n.max_header_bytes, cn.max_header_bytes);
  EXPECT_EQ(n.max_body_bytes, cn.max_body_bytes);
  EXPECT_EQ(n.request_timeout, cn.request_timeout);
  EXPECT_EQ(n.idle_timeout, cn.idle_timeout);
  EXPECT_EQ(n.max_connections, cn.max_connections);
  EXPECT_EQ(n.max_connections_per_ip, cn.max_connections_per_ip);
  EXPECT_EQ(n.shutdown_grace, cn.shutdown_grace);
  EXPECT_EQ(n.send_queue_bytes, cn.send_queue_bytes);
  EXPECT_EQ(n.send_queue_grace, cn.send_queue_grace);
  EXPECT_EQ(n.ipv6_prefix, cn.ipv6_prefix);
  const app::files_config f;
  const auto cf = make_files_options(c);
  EXPECT_EQ(f.max_file_bytes, cf.max_file_bytes);
  EXPECT_EQ(f.max_lifetime, cf.max_lifetime);
  EXPECT_DOUBLE_EQ(f.upload_limit.rate, cf.upload_limit.rate);
  EXPECT_DOUBLE_EQ(f.upload_limit.burst, cf.upload_limit.burst);
  EXPECT_EQ(f.max_in_flight_per_guest, cf.max_in_flight_per_guest);
  EXPECT_EQ(f.max_in_flight_total, cf.max_in_flight_total);
  EXPECT_EQ(gateway::files_rest_options{}.min_free_bytes,
            make_files_rest_options(c).min_free_bytes);
}

TEST(WiringOptions, ConformanceSetsFastHeartbeatsUnlessGiven) {
  auto c = parsed({"--conformance", "--ping-timeout=5s"});
  apply_conformance_defaults(c);
  EXPECT_EQ(c.ping_interval, milliseconds{300});
  EXPECT_EQ(c.ping_timeout, milliseconds{5'000});  // given explicitly: kept
  EXPECT_EQ(c.connect_timeout, milliseconds{1'000});
  EXPECT_EQ(c.recovery_window, milliseconds{0});
  EXPECT_EQ(c.allowed_origins, std::vector<std::string>{"*"});
  EXPECT_EQ(c.max_sessions_per_ip, 0U);
  EXPECT_EQ(c.handshake_rate, (config::rate{0, 0}));
}

}  // namespace
}  // namespace hw

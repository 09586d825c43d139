#include "config/config.hpp"

#include <gtest/gtest.h>

#include "config/table.hpp"

namespace hw::config {
namespace {

parse_result run(std::vector<std::string> args, std::map<std::string, std::string> env = {}) {
  return parse(args, env);
}

TEST(Config, DefaultsAreDocumentedValues) {
  auto r = run({});
  ASSERT_TRUE(r.cfg);
  EXPECT_EQ(r.cfg->host, "127.0.0.1");
  EXPECT_EQ(r.cfg->port, 3000);
  EXPECT_GE(r.cfg->threads, 1U);  // 0 resolves to the core count
  EXPECT_EQ(r.cfg->max_header_bytes, 8192U);
  EXPECT_EQ(r.cfg->max_body_bytes, 1048576U);
  EXPECT_EQ(r.cfg->request_timeout, millis(10'000));
  EXPECT_EQ(r.cfg->shutdown_grace, millis(10'000));
  EXPECT_TRUE(r.cfg->allowed_origins.empty());
  EXPECT_FALSE(r.cfg->tls());
}

TEST(Config, FlagsInBothFormsAndEnvWithFlagPrecedence) {
  auto r = run({"--port", "8080", "--log-format=text"},
               {{"HALLWAY_PORT", "9000"}, {"HALLWAY_THREADS", "3"}});
  ASSERT_TRUE(r.cfg) << r.output;
  EXPECT_EQ(r.cfg->port, 8080);
  EXPECT_EQ(r.cfg->threads, 3U);
  EXPECT_EQ(r.cfg->log_format, "text");
}

TEST(Config, RecordsWhichSettingsWereGivenExplicitly) {
  auto r = run({"--ping-interval", "2s", "--conformance"}, {{"HALLWAY_MAX_PAYLOAD", "4096"}});
  ASSERT_TRUE(r.cfg) << r.output;
  EXPECT_TRUE(r.cfg->given("ping-interval"));  // flag
  EXPECT_TRUE(r.cfg->given("max-payload"));    // environment
  EXPECT_TRUE(r.cfg->given("conformance"));
  EXPECT_FALSE(r.cfg->given("ping-timeout"));  // default
  EXPECT_EQ(r.cfg->explicitly_set.size(), 3U);
  EXPECT_TRUE(run({}).cfg->explicitly_set.empty());
}

TEST(Config, PerAddressEngineIoLimits) {
  auto d = run({});
  ASSERT_TRUE(d.cfg);
  EXPECT_EQ(d.cfg->max_sessions_per_ip, 64U);
  EXPECT_EQ(d.cfg->handshake_rate.per_second, 10);
  EXPECT_EQ(d.cfg->handshake_rate.burst, 30);
  auto r = run({"--max-sessions-per-ip", "0", "--handshake-rate", "2/4"});
  ASSERT_TRUE(r.cfg) << r.output;
  EXPECT_EQ(r.cfg->max_sessions_per_ip, 0U);
  EXPECT_EQ(r.cfg->handshake_rate.per_second, 2);
  EXPECT_EQ(r.cfg->handshake_rate.burst, 4);
  EXPECT_FALSE(run({"--handshake-rate", "5"}).cfg);
}

TEST(Config, BadValuesNameTheSetting) {
  struct bad {
    std::vector<std::string> args;
    std::map<std::string, std::string> env;
    std::string name;
  };
  const std::vector<bad> cases = {
      {{"--port", "70000"}, {}, "'port'"},
      {{"--port", "abc"}, {}, "'port'"},
      {{"--port", "-1"}, {}, "'port'"},
      {{"--threads", "-1"}, {}, "'threads'"},
      {{"--log-format", "xml"}, {}, "'log-format'"},
      {{"--log-level", "loud"}, {}, "'log-level'"},
      {{"--max-body-bytes", "0"}, {}, "'max-body-bytes'"},
      {{"--max-header-bytes", "12XB"}, {}, "'max-header-bytes'"},
      {{"--request-timeout", "10 parsecs"}, {}, "'request-timeout'"},
      {{"--nope", "1"}, {}, "'nope'"},
      {{"--port"}, {}, "'port'"},
      {{"stray"}, {}, "'stray'"},
      {{"--allowed-origins", "example.com"}, {}, "'allowed-origins'"},
      {{"--tls-cert", "c.pem"}, {}, "tls-"},
      {{}, {{"HALLWAY_PORT", "abc"}}, "HALLWAY_PORT"},
  };
  for (const auto& c : cases) {
    auto r = run(c.args, c.env);
    EXPECT_FALSE(r.cfg) << c.name;
    EXPECT_NE(r.exit_code, 0) << c.name;
    EXPECT_NE(r.output.find(c.name), std::string::npos) << r.output;
  }
}

TEST(Config, HelpListsEveryFlagWithEnvAndDefault) {
  auto r = run({"--help"});
  EXPECT_FALSE(r.cfg);
  EXPECT_EQ(r.exit_code, 0);
  for (const char* s : {"--host",
                        "--port",
                        "--threads",
                        "--web-root",
                        "--data-dir",
                        "--log-level",
                        "--log-format",
                        "--tls-cert",
                        "--tls-key",
                        "--allowed-origins",
                        "--max-header-bytes",
                        "--max-body-bytes",
                        "--request-timeout",
                        "--idle-timeout",
                        "--max-connections",
                        "--max-connections-per-ip",
                        "--shutdown-grace",
                        "--jwt-secret",
                        "--ip-hash-key",
                        "HALLWAY_PORT",
                        "default: 3000"}) {
    EXPECT_NE(r.output.find(s), std::string::npos) << s;
  }
  auto v = run({"--version"});
  EXPECT_EQ(v.exit_code, 0);
  EXPECT_NE(v.output.find("hallway "), std::string::npos);
}

TEST(Config, ListEventsIsAnActionLikeHelp) {
  auto r = run({"--port", "1", "--list-events", "--no-such-flag"});
  EXPECT_TRUE(r.list_events);
  EXPECT_FALSE(r.cfg);
  EXPECT_EQ(r.exit_code, 0);
  EXPECT_FALSE(run({}).list_events);
  EXPECT_NE(help_text().find("--list-events"), std::string::npos);
}

TEST(Config, AllowedOriginsAreTrimmedAndNormalised) {
  auto r = run({"--allowed-origins", " https://a.example/ ,http://b.example:8080,,"});
  ASSERT_TRUE(r.cfg) << r.output;
  ASSERT_EQ(r.cfg->allowed_origins.size(), 2U);
  EXPECT_EQ(r.cfg->allowed_origins[0], "https://a.example");
  EXPECT_EQ(r.cfg->allowed_origins[1], "http://b.example:8080");
}

TEST(Config, RatesAreRatePerSecondSlashBurst) {
  auto r = run({"--message-rate", "50/100", "--match-rate=1/1"});
  ASSERT_TRUE(r.cfg) << r.output;
  EXPECT_EQ(r.cfg->message_rate.per_second, 50);
  EXPECT_EQ(r.cfg->message_rate.burst, 100);
  EXPECT_EQ(r.cfg->match_rate.burst, 1);
  EXPECT_EQ(r.cfg->typing_rate.per_second, 4);  // default
  for (const char* bad : {"5", "5/", "/5", "0/1", "1/0", "a/b", "5/10/2"}) {
    auto b = run({"--typing-rate", bad});
    EXPECT_FALSE(b.cfg) << bad;
    EXPECT_NE(b.output.find("'typing-rate'"), std::string::npos) << b.output;
  }
}

TEST(Config, ReceiptAndControlRatesHaveDefaultsAndAreSet) {
  auto d = run({});
  ASSERT_TRUE(d.cfg) << d.output;
  EXPECT_EQ(d.cfg->receipt_rate.per_second, 20);
  EXPECT_EQ(d.cfg->receipt_rate.burst, 40);
  EXPECT_EQ(d.cfg->control_rate.per_second, 10);
  EXPECT_EQ(d.cfg->control_rate.burst, 50);
  auto r = run({"--receipt-rate", "2/3", "--control-rate=1/4"});
  ASSERT_TRUE(r.cfg) << r.output;
  EXPECT_EQ(r.cfg->receipt_rate.per_second, 2);
  EXPECT_EQ(r.cfg->receipt_rate.burst, 3);
  EXPECT_EQ(r.cfg->control_rate.per_second, 1);
  EXPECT_EQ(r.cfg->control_rate.burst, 4);
  auto b = run({"--control-rate", "0/1"});
  EXPECT_FALSE(b.cfg);
  EXPECT_NE(b.output.find("'control-rate'"), std::string::npos) << b.output;
}

TEST(Config, SocketIoMemoryBounds) {
  auto d = run({});
  ASSERT_TRUE(d.cfg);
  EXPECT_EQ(d.cfg->max_connect_bytes, 4096U);
  EXPECT_EQ(d.cfg->recovery_total_bytes, 64UL << 20U);
  auto r = run({"--max-connect-bytes", "8KiB"}, {{"HALLWAY_RECOVERY_TOTAL_BYTES", "1MiB"}});
  ASSERT_TRUE(r.cfg) << r.output;
  EXPECT_EQ(r.cfg->max_connect_bytes, 8192U);
  EXPECT_EQ(r.cfg->recovery_total_bytes, 1048576U);
  EXPECT_FALSE(run({"--max-connect-bytes", "10"}).cfg);
}

TEST(Config, RetainOfflineHasADefaultAndIsSet) {
  auto d = run({});
  ASSERT_TRUE(d.cfg);
  EXPECT_EQ(d.cfg->retain_offline, millis(600'000));
  auto r = run({"--retain-offline", "3s"});
  ASSERT_TRUE(r.cfg) << r.output;
  EXPECT_EQ(r.cfg->retain_offline, millis(3'000));
  auto z = run({}, {{"HALLWAY_RETAIN_OFFLINE", "0"}});
  ASSERT_TRUE(z.cfg) << z.output;
  EXPECT_EQ(z.cfg->retain_offline, millis(0));
  EXPECT_FALSE(run({"--retain-offline", "-1s"}).cfg);
}

TEST(Config, ReportWindowHasADefaultAndIsSet) {
  auto d = run({});
  ASSERT_TRUE(d.cfg);
  EXPECT_EQ(d.cfg->report_window, millis(300'000));
  auto r = run({"--report-window", "1500ms"});
  ASSERT_TRUE(r.cfg) << r.output;
  EXPECT_EQ(r.cfg->report_window, millis(1'500));
  auto e = run({}, {{"HALLWAY_REPORT_WINDOW", "0"}});
  ASSERT_TRUE(e.cfg) << e.output;
  EXPECT_EQ(e.cfg->report_window, millis(0));
  EXPECT_FALSE(run({"--report-window", "2d"}).cfg);
  EXPECT_FALSE(run({"--report-window", "25h"}).cfg);
}

TEST(Config, Durations) {
  EXPECT_EQ(parse_duration("250ms"), millis(250));
  EXPECT_EQ(parse_duration("10s"), millis(10'000));
  EXPECT_EQ(parse_duration("10"), millis(10'000));
  EXPECT_EQ(parse_duration("2m"), millis(120'000));
  EXPECT_EQ(parse_duration("1h"), millis(3'600'000));
  EXPECT_FALSE(parse_duration(""));
  EXPECT_FALSE(parse_duration("s"));
  EXPECT_FALSE(parse_duration("-1s"));
  EXPECT_FALSE(parse_duration("1.5s"));
  EXPECT_FALSE(parse_duration("99999999999999999999s"));
}

TEST(Config, Sizes) {
  EXPECT_EQ(parse_size("512"), 512U);
  EXPECT_EQ(parse_size("8KiB"), 8192U);
  EXPECT_EQ(parse_size("8kb"), 8192U);
  EXPECT_EQ(parse_size("1MiB"), 1048576U);
  EXPECT_EQ(parse_size("2GiB"), 2147483648U);
  EXPECT_FALSE(parse_size("MiB"));
  EXPECT_FALSE(parse_size("1TiB"));
  EXPECT_FALSE(parse_size("-1"));
  EXPECT_FALSE(parse_size("18446744073709551615GiB"));
}

}  // namespace
}  // namespace hw::config

namespace hw::config {
namespace {

TEST(Config, ProxyAddressOpsAndGuestCapSettings) {
  auto d = parse({}, {});
  ASSERT_TRUE(d.cfg);
  EXPECT_EQ(d.cfg->trusted_proxies, "");
  EXPECT_EQ(d.cfg->ipv6_prefix, 64U);
  EXPECT_EQ(d.cfg->ops_listen, "127.0.0.1:9464");
  EXPECT_EQ(d.cfg->max_guests_per_ip, 50U);
  auto r = parse({"--trusted-proxies", "127.0.0.1/32, fd00::/8", "--ipv6-prefix", "56",
                  "--ops-listen", "", "--max-guests-per-ip", "3"},
                 {});
  ASSERT_TRUE(r.cfg) << r.output;
  EXPECT_EQ(r.cfg->trusted_proxies, "127.0.0.1/32, fd00::/8");
  EXPECT_EQ(r.cfg->ipv6_prefix, 56U);
  EXPECT_EQ(r.cfg->ops_listen, "");
  EXPECT_EQ(r.cfg->max_guests_per_ip, 3U);
  for (const auto& [flag, value] : std::vector<std::pair<std::string, std::string>>{
           {"trusted-proxies", "10.0.0.0/33"},
           {"trusted-proxies", "127.0.0.1/32,proxy.local"},
           {"ipv6-prefix", "8"},
           {"ops-listen", "9464"},
           {"ops-listen", "127.0.0.1:99999"},
           {"max-guests-per-ip", "0"}}) {
    auto bad = parse({"--" + flag, value}, {});
    EXPECT_FALSE(bad.cfg) << flag << " " << value;
    EXPECT_EQ(bad.exit_code, 2);
    EXPECT_NE(bad.output.find("'" + flag + "'"), std::string::npos) << bad.output;
  }
}

// The defaults are written once (config/defaults.hpp) and --help shows them formatted: giving
// each shown default back as a flag must change nothing, so help and behaviour cannot drift.
TEST(Config, HelpShowsTheDefaultEverySettingHas) {
  auto defaults = run({});
  ASSERT_TRUE(defaults.cfg);
  std::size_t checked = 0;
  for (const auto& o : table::options()) {
    if (o.def.empty()) continue;  // shown as "(none)": the empty value
    const auto flag = "--" + std::string(o.name) + "=" + o.def;
    auto r = run({flag});
    ASSERT_TRUE(r.cfg) << flag << ": " << r.output;
    r.cfg->explicitly_set.clear();
    EXPECT_TRUE(*r.cfg == *defaults.cfg) << flag << " is not the default";
    EXPECT_NE(help_text().find("default: " + o.def + "\n"), std::string::npos) << o.name;
    ++checked;
  }
  EXPECT_GE(checked, 40U);
}

TEST(Config, ShownDurationsAndSizesReadBack) {
  for (const millis d : {millis{0}, millis{1}, millis{500}, millis{1'000}, millis{60'000},
                         millis{90'000}, millis{120'000}, millis{3'600'000}, millis{7'200'000}}) {
    EXPECT_EQ(parse_duration(table::show_duration(d)), d) << table::show_duration(d);
  }
  EXPECT_EQ(table::show_duration(millis{60'000}), "60s");
  EXPECT_EQ(table::show_duration(millis{120'000}), "2m");
  EXPECT_EQ(table::show_duration(millis{1'500}), "1500ms");
  for (const std::size_t n :
       {std::size_t{0}, std::size_t{512}, std::size_t{4096}, std::size_t{1'000'000},
        std::size_t{1} << 20U, std::size_t{64} << 20U, std::size_t{3} << 30U}) {
    EXPECT_EQ(parse_size(table::show_size(n)), n) << table::show_size(n);
  }
  EXPECT_EQ(table::show_size(256UL << 10U), "256KiB");
  EXPECT_EQ(table::show_size(1'000'000), "1000000");
}

}  // namespace
}  // namespace hw::config

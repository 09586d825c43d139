#include "core/address.hpp"

#include <gtest/gtest.h>

namespace hw::core {
namespace {

ip_address ip(std::string_view s) {
  auto a = parse_ip(s);
  EXPECT_TRUE(a.has_value()) << s;
  return a.value_or(ip_address{});
}

std::vector<cidr> ranges(std::string_view s) {
  std::string bad;
  auto r = parse_cidr_list(s, bad);
  EXPECT_TRUE(r.has_value()) << bad;
  return r.value_or(std::vector<cidr>{});
}

TEST(CoreAddress, ParsesAndNormalisesV4Mapped) {
  EXPECT_EQ(ip("10.1.2.3").to_string(), "10.1.2.3");
  EXPECT_EQ(ip("::ffff:10.1.2.3").to_string(), "10.1.2.3");
  EXPECT_TRUE(ip("::ffff:10.1.2.3").v4);
  EXPECT_EQ(ip("2001:DB8::1").to_string(), "2001:db8::1");
  for (const char* bad : {"", "1.2.3", "1.2.3.4:80", "[::1]", "x", "1.2.3.4 ", "::1%eth0"}) {
    EXPECT_FALSE(parse_ip(bad).has_value()) << bad;
  }
}

TEST(CoreAddress, Ipv6IsKeyedByPrefixIpv4ByFullAddress) {
  EXPECT_EQ(address_key(ip("2001:db8:1:2:aaaa::1"), 64), "2001:db8:1:2::/64");
  EXPECT_EQ(address_key(ip("2001:db8:1:2:bbbb:cccc:dddd:eeee"), 64), "2001:db8:1:2::/64");
  EXPECT_NE(address_key(ip("2001:db8:1:3::1"), 64), address_key(ip("2001:db8:1:2::1"), 64));
  EXPECT_EQ(address_key(ip("2001:db8:1:2ff::1"), 56), "2001:db8:1:200::/56");
  EXPECT_EQ(address_key(ip("2001:db8::1"), 128), "2001:db8::1");
  EXPECT_EQ(address_key(ip("10.1.2.3"), 64), "10.1.2.3");
  EXPECT_EQ(address_key(ip("::ffff:10.1.2.3"), 64), "10.1.2.3");
}

TEST(CoreAddress, CidrParsingAndContainment) {
  std::string bad;
  EXPECT_FALSE(parse_cidr_list("10.0.0.0/8, nonsense", bad).has_value());
  EXPECT_EQ(bad, "nonsense");
  EXPECT_FALSE(parse_cidr_list("10.0.0.0/33", bad).has_value());
  EXPECT_FALSE(parse_cidr_list("::/129", bad).has_value());
  EXPECT_FALSE(parse_cidr_list("10.0.0.0/", bad).has_value());
  EXPECT_TRUE(parse_cidr_list("", bad).has_value());
  const auto r = ranges("10.0.0.0/8, 192.168.1.7 ,fd00::/8");
  ASSERT_EQ(r.size(), 3U);
  EXPECT_TRUE(in_ranges(ip("10.200.3.4"), r));
  EXPECT_TRUE(in_ranges(ip("::ffff:10.0.0.1"), r));
  EXPECT_TRUE(in_ranges(ip("192.168.1.7"), r));
  EXPECT_FALSE(in_ranges(ip("192.168.1.8"), r));
  EXPECT_TRUE(in_ranges(ip("fd12::1"), r));
  EXPECT_FALSE(in_ranges(ip("fe80::1"), r));
  EXPECT_FALSE(in_ranges(ip("11.0.0.1"), r));
  EXPECT_TRUE(in_ranges(ip("1.2.3.4"), ranges("0.0.0.0/0")));
  EXPECT_FALSE(in_ranges(ip("::1"), ranges("0.0.0.0/0")));
}

TEST(CoreAddress, ForwardedHeadersAreIgnoredFromUntrustedPeers) {
  const auto trusted = ranges("127.0.0.1/32");
  const auto c = resolve_client(ip("203.0.113.9"), {"1.1.1.1"}, "https", trusted);
  EXPECT_EQ(c.address, ip("203.0.113.9"));
  EXPECT_FALSE(c.forwarded_tls.has_value());
}

TEST(CoreAddress, RightMostUntrustedForwardedEntryIsTheClient) {
  const auto trusted = ranges("127.0.0.1/32, 10.0.0.0/8");
  const auto peer = ip("127.0.0.1");
  // A spoofed left part is ignored: the last entry appended by our proxy wins.
  auto c = resolve_client(peer, {"6.6.6.6, 198.51.100.2"}, "https", trusted);
  EXPECT_EQ(c.address, ip("198.51.100.2"));
  EXPECT_EQ(c.forwarded_tls, true);
  // Trusted hops are skipped, across several header fields.
  c = resolve_client(peer, {"6.6.6.6, 198.51.100.2", "10.1.1.1"}, "http", trusted);
  EXPECT_EQ(c.address, ip("198.51.100.2"));
  EXPECT_EQ(c.forwarded_tls, false);
  // No header: the proxy itself.
  c = resolve_client(peer, {}, "", trusted);
  EXPECT_EQ(c.address, peer);
  EXPECT_FALSE(c.forwarded_tls.has_value());
  // All trusted: the left-most.
  c = resolve_client(peer, {"10.0.0.5, 10.0.0.6"}, "", trusted);
  EXPECT_EQ(c.address, ip("10.0.0.5"));
  // IPv6 client; the scheme list ends with the nearest proxy's value.
  c = resolve_client(peer, {"2001:db8::7"}, "http, HTTPS", trusted);
  EXPECT_EQ(c.address, ip("2001:db8::7"));
  EXPECT_EQ(c.forwarded_tls, true);
}

TEST(CoreAddress, MalformedForwardedEntryStopsAtTheLastTrustedHop) {
  const auto trusted = ranges("127.0.0.1/32, 10.0.0.0/8");
  const auto peer = ip("127.0.0.1");
  auto c = resolve_client(peer, {"1.2.3.4, garbage"}, "", trusted);
  EXPECT_EQ(c.address, peer);
  c = resolve_client(peer, {"1.2.3.4, unknown, 10.0.0.9"}, "", trusted);
  EXPECT_EQ(c.address, ip("10.0.0.9"));
  c = resolve_client(peer, {"1.2.3.4:5555"}, "", trusted);
  EXPECT_EQ(c.address, peer);
  c = resolve_client(peer, {""}, "gopher", trusted);
  EXPECT_EQ(c.address, peer);
  EXPECT_FALSE(c.forwarded_tls.has_value());
}

}  // namespace
}  // namespace hw::core

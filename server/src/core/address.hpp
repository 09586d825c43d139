#pragma once
// Client addresses: parsing, CIDR ranges, the per-address key every limit counts by, and the
// effective client behind trusted reverse proxies. Pure (std + inet_pton), so unit-tested
// without sockets.

#include <array>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace hw::core {

/// An IPv4 or IPv6 address. IPv4-mapped IPv6 addresses (::ffff:a.b.c.d) are stored as IPv4, so
/// a dual-stack listener keys them like plain IPv4 clients.
struct ip_address {
  std::array<std::uint8_t, 16> bytes{};  ///< IPv4 uses the first 4
  bool v4 = false;

  [[nodiscard]] std::string to_string() const;
  bool operator==(const ip_address&) const = default;
};

/// Parses "1.2.3.4" or "2001:db8::1" (no brackets, no port, no zone). nullopt when malformed.
std::optional<ip_address> parse_ip(std::string_view s);

/// An address range, "10.0.0.0/8" or "fd00::/8"; a bare address is a /32 or /128.
struct cidr {
  ip_address base;  ///< host bits cleared
  unsigned prefix = 0;

  [[nodiscard]] bool contains(const ip_address& a) const;
};

/// Parses one CIDR; nullopt when malformed (bad address, prefix out of range).
std::optional<cidr> parse_cidr(std::string_view s);

/// Parses a comma-separated CIDR list (spaces allowed, empty items ignored). On error returns
/// nullopt and sets `bad` to the offending item.
std::optional<std::vector<cidr>> parse_cidr_list(std::string_view s, std::string& bad);

/// The key a per-address limit counts by: IPv4 by the full address, IPv6 by its first
/// `v6_prefix` bits ("2001:db8:1:2::/64"), because one subscriber usually holds a whole /64 and
/// could otherwise take unlimited identities.
std::string address_key(const ip_address& a, unsigned v6_prefix);

/// The client a request comes from, after trusted proxies are accounted for.
struct effective_client {
  ip_address address;
  /// From X-Forwarded-Proto ("https"/"http") when the peer is a trusted proxy; else nullopt.
  std::optional<bool> forwarded_tls;
};

/// Resolves the client behind trusted proxies. Only when `peer` is inside `trusted` are the
/// forwarding headers read: the client is the right-most X-Forwarded-For entry that is not itself
/// trusted (walking from the right). A malformed entry stops the walk, and the last trusted hop
/// walked (at first the peer itself) is the client: an attacker who can inject garbage then only
/// shares the proxy's key and never gets a fresh one. If every entry is trusted, the left-most is
/// the client. `xff` holds every X-Forwarded-For field value in arrival order.
effective_client resolve_client(const ip_address& peer, const std::vector<std::string_view>& xff,
                                std::string_view forwarded_proto, const std::vector<cidr>& trusted);

/// True when `a` is in one of the ranges.
bool in_ranges(const ip_address& a, const std::vector<cidr>& ranges);

}  // namespace hw::core

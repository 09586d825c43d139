#include "core/address.hpp"

#include <arpa/inet.h>

#include <algorithm>
#include <charconv>
#include <cstring>

#include "core/text.hpp"

namespace hw::core {

namespace {

constexpr std::array<std::uint8_t, 12> v4_mapped_prefix = {0, 0, 0, 0, 0,    0,
                                                           0, 0, 0, 0, 0xFF, 0xFF};
// Bounds the X-Forwarded-For walk: no deployment has more proxy hops than this.
constexpr std::size_t max_forwarded_hops = 32;

// Clears every bit after the first `prefix` bits of an address of `len` bytes.
void mask(std::array<std::uint8_t, 16>& b, std::size_t len, unsigned prefix) {
  for (std::size_t i = 0; i < len; ++i) {
    const unsigned first_bit = static_cast<unsigned>(i) * 8U;
    if (prefix >= first_bit + 8U) continue;
    const unsigned keep = prefix > first_bit ? prefix - first_bit : 0U;
    b[i] = static_cast<std::uint8_t>(b[i] & static_cast<std::uint8_t>(0xFF00U >> keep));
  }
}

}  // namespace

std::string ip_address::to_string() const {
  char buf[INET6_ADDRSTRLEN] = {};
  inet_ntop(v4 ? AF_INET : AF_INET6, bytes.data(), buf, sizeof buf);
  return buf;
}

std::optional<ip_address> parse_ip(std::string_view s) {
  if (s.empty() || s.size() >= INET6_ADDRSTRLEN) return std::nullopt;
  char buf[INET6_ADDRSTRLEN] = {};
  std::memcpy(buf, s.data(), s.size());
  ip_address a;
  if (inet_pton(AF_INET, buf, a.bytes.data()) == 1) {
    a.v4 = true;
    return a;
  }
  if (inet_pton(AF_INET6, buf, a.bytes.data()) != 1) return std::nullopt;
  if (std::equal(v4_mapped_prefix.begin(), v4_mapped_prefix.end(), a.bytes.begin())) {
    std::array<std::uint8_t, 16> v4{};
    std::copy(a.bytes.begin() + 12, a.bytes.end(), v4.begin());
    a.bytes = v4;
    a.v4 = true;
  }
  return a;
}

bool cidr::contains(const ip_address& a) const {
  if (a.v4 != base.v4) return false;
  auto masked = a.bytes;
  mask(masked, a.v4 ? 4 : 16, prefix);
  return masked == base.bytes;
}

std::optional<cidr> parse_cidr(std::string_view s) {
  s = trim(s);
  const auto slash = s.find('/');
  auto addr = parse_ip(s.substr(0, slash));
  if (!addr) return std::nullopt;
  const unsigned max = addr->v4 ? 32U : 128U;
  unsigned prefix = max;
  if (slash != std::string_view::npos) {
    const auto p = s.substr(slash + 1);
    const auto [end, ec] = std::from_chars(p.data(), p.data() + p.size(), prefix);
    if (p.empty() || ec != std::errc{} || end != p.data() + p.size() || prefix > max) {
      return std::nullopt;
    }
  }
  cidr c{*addr, prefix};
  mask(c.base.bytes, addr->v4 ? 4 : 16, prefix);
  return c;
}

std::optional<std::vector<cidr>> parse_cidr_list(std::string_view s, std::string& bad) {
  std::vector<cidr> out;
  while (!s.empty()) {
    const auto comma = s.find(',');
    const auto item = trim(s.substr(0, comma));
    if (!item.empty()) {
      auto c = parse_cidr(item);
      if (!c) {
        bad = std::string(item);
        return std::nullopt;
      }
      out.push_back(*c);
    }
    if (comma == std::string_view::npos) break;
    s.remove_prefix(comma + 1);
  }
  return out;
}

bool in_ranges(const ip_address& a, const std::vector<cidr>& ranges) {
  return std::any_of(ranges.begin(), ranges.end(), [&](const cidr& c) { return c.contains(a); });
}

std::string address_key(const ip_address& a, unsigned v6_prefix) {
  if (a.v4 || v6_prefix >= 128) return a.to_string();
  ip_address masked = a;
  mask(masked.bytes, 16, v6_prefix);
  return masked.to_string() + "/" + std::to_string(v6_prefix);
}

effective_client resolve_client(const ip_address& peer, const std::vector<std::string_view>& xff,
                                std::string_view forwarded_proto,
                                const std::vector<cidr>& trusted) {
  effective_client out{peer, std::nullopt};
  if (!in_ranges(peer, trusted)) return out;  // forwarding headers from anyone else are lies
  // Entries right to left, across every field (a later field continues the list).
  std::vector<std::string_view> hops;
  for (auto field : xff) {
    while (!field.empty()) {
      const auto comma = field.find(',');
      hops.push_back(trim(field.substr(0, comma)));
      if (comma == std::string_view::npos) break;
      field.remove_prefix(comma + 1);
    }
  }
  std::size_t walked = 0;
  for (auto it = hops.rbegin(); it != hops.rend() && walked < max_forwarded_hops; ++it, ++walked) {
    auto hop = parse_ip(*it);
    if (!hop) break;  // malformed: keep the last trusted hop (see the header)
    out.address = *hop;
    if (!in_ranges(*hop, trusted)) break;
  }
  // The proxy closest to us sets the scheme; a list ("https, http") ends with its value.
  auto proto = forwarded_proto;
  if (const auto comma = proto.rfind(','); comma != std::string_view::npos) {
    proto.remove_prefix(comma + 1);
  }
  proto = trim(proto);
  const auto lower_eq = [](std::string_view a, std::string_view b) {
    return a.size() == b.size() && std::equal(a.begin(), a.end(), b.begin(), [](char x, char y) {
             return (x | 0x20) == y;  // ASCII letters only: b is lower-case
           });
  };
  if (lower_eq(proto, "https")) out.forwarded_tls = true;
  if (lower_eq(proto, "http")) out.forwarded_tls = false;
  return out;
}

}  // namespace hw::core

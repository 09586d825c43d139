#include "core/ip_hash.hpp"

#include <gtest/gtest.h>

namespace hw::core {
namespace {

TEST(IpHash, StableKeyedAndNotTheAddress) {
  const ip_hasher a("key-one-key-one-key-one-key-one!");
  const ip_hasher b("key-two-key-two-key-two-key-two!");
  const auto h = a.hash("203.0.113.7");
  EXPECT_EQ(h.size(), 16U);
  EXPECT_EQ(h.find_first_not_of("0123456789abcdef"), std::string::npos);
  EXPECT_EQ(h, a.hash("203.0.113.7"));          // same client, same hash
  EXPECT_NE(h, a.hash("203.0.113.8"));          // different client
  EXPECT_NE(h, b.hash("203.0.113.7"));          // depends on the key
  EXPECT_EQ(h.find("203"), std::string::npos);  // not the address itself
}

TEST(IpHash, KnownVector) {
  // HMAC-SHA256(key="key", "The quick brown fox jumps over the lazy dog") starts f7bc83f430538424
  // (RFC 4231-style published vector), so the hash is a real HMAC, truncated.
  EXPECT_EQ(ip_hasher("key").hash("The quick brown fox jumps over the lazy dog"),
            "f7bc83f430538424");
}

}  // namespace
}  // namespace hw::core

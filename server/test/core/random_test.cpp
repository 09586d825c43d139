#include "core/random.hpp"

#include <gtest/gtest.h>

#include <set>

namespace hw::core {
namespace {

TEST(CoreRandom, TokensAreUrlSafeAndDistinct) {
  std::set<std::string> seen;
  for (int i = 0; i < 1000; ++i) {
    const auto t = random_token(20);
    ASSERT_EQ(t.size(), 20U);
    EXPECT_EQ(
        t.find_first_not_of("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_"),
        std::string::npos);
    seen.insert(t);
  }
  EXPECT_EQ(seen.size(), 1000U);
  EXPECT_NE(random_u64(), random_u64());
}

}  // namespace
}  // namespace hw::core

#include "engineio/client_limits.hpp"

#include <gtest/gtest.h>

namespace hw::engineio {
namespace {

using namespace std::chrono_literals;
using verdict = client_limits::verdict;

TEST(ClientLimits, CapsLiveSessionsPerAddressAndFreesOnRelease) {
  client_limits l({.max_live = 2, .rate = 0, .burst = 0, .max_idle = 16});
  const auto t = client_limits::clock::now();
  EXPECT_EQ(l.acquire("a", t), verdict::ok);
  EXPECT_EQ(l.acquire("a", t), verdict::ok);
  EXPECT_EQ(l.acquire("a", t), verdict::over_live);
  EXPECT_EQ(l.acquire("b", t), verdict::ok);  // another address is not affected
  l.release("a", t);
  EXPECT_EQ(l.acquire("a", t), verdict::ok);
  EXPECT_EQ(l.live("a"), 2U);
}

TEST(ClientLimits, RateLimitsHandshakesWithBurstAndRefill) {
  client_limits l({.max_live = 0, .rate = 2, .burst = 3, .max_idle = 16});
  const auto t = client_limits::clock::now();
  for (int i = 0; i < 3; ++i)
    EXPECT_EQ(l.acquire("a", t), verdict::ok);
  EXPECT_EQ(l.acquire("a", t), verdict::over_rate);
  EXPECT_EQ(l.acquire("a", t + 499ms), verdict::over_rate);
  EXPECT_EQ(l.acquire("a", t + 500ms), verdict::ok);  // one token per 500 ms
}

TEST(ClientLimits, ForgetsIdleAddressesOnceTheirBucketIsFull) {
  client_limits l({.max_live = 4, .rate = 10, .burst = 10, .max_idle = 1000});
  const auto t = client_limits::clock::now();
  for (int i = 0; i < 100; ++i) {
    const auto key = "addr" + std::to_string(i);
    ASSERT_EQ(l.acquire(key, t), verdict::ok);
    l.release(key, t);
  }
  EXPECT_EQ(l.tracked(), 100U);  // rate state kept while it matters
  EXPECT_EQ(l.acquire("x", t + 1s), verdict::ok);
  EXPECT_EQ(l.tracked(), 1U);  // burst / rate = 1 s later they are gone: only "x" (live) is left
}

TEST(ClientLimits, IdleAddressesAreBoundedInNumber) {
  client_limits l({.max_live = 4, .rate = 1, .burst = 1000, .max_idle = 8});
  const auto t = client_limits::clock::now();
  for (int i = 0; i < 100; ++i) {
    const auto key = "addr" + std::to_string(i);
    ASSERT_EQ(l.acquire(key, t), verdict::ok);
    l.release(key, t);
  }
  EXPECT_LE(l.tracked(), 8U);
}

TEST(ClientLimits, AnAddressThatComesBackIsNotForgottenWhileLive) {
  client_limits l({.max_live = 1, .rate = 10, .burst = 10, .max_idle = 16});
  const auto t = client_limits::clock::now();
  ASSERT_EQ(l.acquire("a", t), verdict::ok);
  l.release("a", t);
  ASSERT_EQ(l.acquire("a", t + 10ms), verdict::ok);  // live again
  EXPECT_EQ(l.acquire("b", t + 5s), verdict::ok);    // would expire "a" if it were still idle
  EXPECT_EQ(l.acquire("a", t + 5s), verdict::over_live);
  EXPECT_EQ(l.live("a"), 1U);
}

}  // namespace
}  // namespace hw::engineio

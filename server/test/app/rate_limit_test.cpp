#include "app/rate_limit.hpp"

#include <gtest/gtest.h>

#include <cmath>
#include <limits>

#include "app/testing.hpp"

namespace hw::app {
namespace {

using std::chrono::milliseconds;
using std::chrono::seconds;

TEST(AppTokenBucket, StartsFullAndGrantsTheBurst) {
  manual_clock clk;
  token_bucket b({5.0, 10.0});
  for (int i = 0; i < 10; ++i)
    EXPECT_TRUE(b.try_take(clk.now())) << i;
  EXPECT_FALSE(b.try_take(clk.now()));
  EXPECT_EQ(b.retry_after_ms(clk.now()), 200);  // one token at 5/s
}

TEST(AppTokenBucket, RefillsAtTheRateUpToTheBurst) {
  manual_clock clk;
  token_bucket b({5.0, 10.0});
  for (int i = 0; i < 10; ++i)
    ASSERT_TRUE(b.try_take(clk.now()));
  clk.advance(milliseconds(199));
  EXPECT_FALSE(b.try_take(clk.now()));
  EXPECT_EQ(b.retry_after_ms(clk.now()), 1);
  clk.advance(milliseconds(1));
  EXPECT_TRUE(b.try_take(clk.now()));
  EXPECT_FALSE(b.try_take(clk.now()));
  clk.advance(seconds(60));  // long idle: capped at the burst
  EXPECT_DOUBLE_EQ(b.available(clk.now()), 10.0);
  for (int i = 0; i < 10; ++i)
    EXPECT_TRUE(b.try_take(clk.now()));
  EXPECT_FALSE(b.try_take(clk.now()));
}

TEST(AppTokenBucket, SustainedRateIsTheConfiguredOne) {
  manual_clock clk;
  token_bucket b({2.0, 5.0});
  int granted = 0;
  for (int ms = 0; ms < 10'000; ms += 10) {  // try every 10 ms for 10 s
    if (b.try_take(clk.now())) ++granted;
    clk.advance(milliseconds(10));
  }
  EXPECT_GE(granted, 5 + 19);  // burst + 2/s × ~10 s
  EXPECT_LE(granted, 5 + 20);
}

TEST(AppTokenBucket, RetryAfterIsZeroWhenAvailableAndRoundsUp) {
  manual_clock clk;
  token_bucket b({3.0, 1.0});
  EXPECT_EQ(b.retry_after_ms(clk.now()), 0);
  ASSERT_TRUE(b.try_take(clk.now()));
  EXPECT_EQ(b.retry_after_ms(clk.now()), 334);  // 1/3 s, rounded up
  clk.advance(milliseconds(334));
  EXPECT_EQ(b.retry_after_ms(clk.now()), 0);
  EXPECT_TRUE(b.try_take(clk.now()));
}

TEST(AppTokenBucket, FractionalAndMultiTokenTakes) {
  manual_clock clk;
  token_bucket b({1.0, 4.0});
  EXPECT_TRUE(b.try_take(clk.now(), 2.5));
  EXPECT_FALSE(b.try_take(clk.now(), 2.0));
  EXPECT_EQ(b.retry_after_ms(clk.now(), 2.0), 500);
  EXPECT_TRUE(b.try_take(clk.now(), 1.5));
  EXPECT_FALSE(b.try_take(clk.now(), 5.0));  // more than the burst: never
  clk.advance(seconds(100));
  EXPECT_FALSE(b.try_take(clk.now(), 5.0));
  EXPECT_EQ(b.retry_after_ms(clk.now(), 5.0), 0);  // clamped to the burst, which is full
  EXPECT_TRUE(b.try_take(clk.now(), 0.0));
}

TEST(AppTokenBucket, HostileArgumentsAreRefusedNotFatal) {
  manual_clock clk;
  token_bucket b({1.0, 2.0});
  EXPECT_FALSE(b.try_take(clk.now(), -1.0));
  EXPECT_FALSE(b.try_take(clk.now(), std::nan("")));
  EXPECT_FALSE(b.try_take(clk.now(), std::numeric_limits<double>::infinity()));
  EXPECT_DOUBLE_EQ(b.available(clk.now()), 2.0);
  EXPECT_GE(b.retry_after_ms(clk.now(), std::nan("")), 0);
}

TEST(AppTokenBucket, BadConfigurationIsClamped) {
  manual_clock clk;
  token_bucket zero_rate({0.0, 2.0});
  EXPECT_TRUE(zero_rate.try_take(clk.now()));
  EXPECT_TRUE(zero_rate.try_take(clk.now()));
  EXPECT_FALSE(zero_rate.try_take(clk.now()));
  clk.advance(std::chrono::hours(1000));
  EXPECT_FALSE(zero_rate.try_take(clk.now()));
  EXPECT_EQ(zero_rate.retry_after_ms(clk.now()), std::numeric_limits<std::int64_t>::max());

  token_bucket nan_rate({std::nan(""), std::nan("")});
  EXPECT_TRUE(nan_rate.try_take(clk.now()));  // burst clamped to 1
  EXPECT_FALSE(nan_rate.try_take(clk.now()));

  token_bucket tiny_burst({10.0, 0.1});
  EXPECT_TRUE(tiny_burst.try_take(clk.now()));
  EXPECT_FALSE(tiny_burst.try_take(clk.now()));
  clk.advance(milliseconds(100));
  EXPECT_TRUE(tiny_burst.try_take(clk.now()));
}

TEST(AppTokenBucket, TimeGoingBackwardsRefillsNothing) {
  manual_clock clk;
  token_bucket b({1.0, 1.0});
  const auto t0 = clk.now();
  clk.advance(seconds(10));
  ASSERT_TRUE(b.try_take(clk.now()));
  EXPECT_FALSE(b.try_take(t0));
  EXPECT_FALSE(b.try_take(clk.now()));
  clk.advance(seconds(1));
  EXPECT_TRUE(b.try_take(clk.now()));
}

TEST(AppTokenBucket, DefaultsMatchTheIssue) {
  EXPECT_DOUBLE_EQ(message_limit_default.rate, 5.0);
  EXPECT_DOUBLE_EQ(message_limit_default.burst, 10.0);
  EXPECT_DOUBLE_EQ(typing_limit_default.rate, 4.0);
  EXPECT_DOUBLE_EQ(match_limit_default.rate, 2.0);
  EXPECT_DOUBLE_EQ(match_limit_default.burst, 5.0);
  EXPECT_DOUBLE_EQ(guest_create_limit_default.rate * 60.0, 10.0);
}

TEST(AppFloodGuard, FloodsOnlyAboveTheLimitWithinTheWindow) {
  manual_clock clk;
  flood_guard g({3, seconds(10)});
  EXPECT_FALSE(g.refuse(clk.now()));
  EXPECT_FALSE(g.refuse(clk.now()));
  EXPECT_FALSE(g.refuse(clk.now()));
  EXPECT_TRUE(g.refuse(clk.now()));  // the 4th within 10 s
  EXPECT_TRUE(g.refuse(clk.now()));
}

TEST(AppFloodGuard, WindowSlides) {
  manual_clock clk;
  flood_guard g({3, seconds(10)});
  EXPECT_FALSE(g.refuse(clk.now()));  // t = 0
  clk.advance(seconds(4));
  EXPECT_FALSE(g.refuse(clk.now()));  // t = 4
  clk.advance(seconds(4));
  EXPECT_FALSE(g.refuse(clk.now()));  // t = 8
  clk.advance(seconds(2));
  EXPECT_EQ(g.count(clk.now()), 2U);  // t = 10: the hit at 0 left the window
  EXPECT_FALSE(g.refuse(clk.now()));  // 4, 8, 10
  clk.advance(seconds(1));
  EXPECT_TRUE(g.refuse(clk.now()));  // 4, 8, 10, 11
  clk.advance(seconds(60));
  EXPECT_EQ(g.count(clk.now()), 0U);
  EXPECT_FALSE(g.refuse(clk.now()));
}

TEST(AppFloodGuard, SteadyRefusalsBelowTheLimitNeverFlood) {
  manual_clock clk;
  flood_guard g;  // defaults: more than 30 in 10 s
  for (int i = 0; i < 1000; ++i) {
    ASSERT_FALSE(g.refuse(clk.now())) << i;  // 3 per second = 30 per 10 s: at the limit
    clk.advance(milliseconds(334));
  }
}

TEST(AppFloodGuard, DefaultThresholdAndReset) {
  manual_clock clk;
  flood_guard g;
  for (int i = 0; i < 30; ++i)
    ASSERT_FALSE(g.refuse(clk.now()));
  EXPECT_TRUE(g.refuse(clk.now()));
  g.reset();
  EXPECT_EQ(g.count(clk.now()), 0U);
  EXPECT_FALSE(g.refuse(clk.now()));
}

TEST(AppFloodGuard, MemoryStaysBounded) {
  manual_clock clk;
  flood_guard g({5, seconds(10)});
  for (int i = 0; i < 100'000; ++i)
    g.refuse(clk.now());
  EXPECT_LE(g.count(clk.now()), 6U);
  EXPECT_TRUE(g.refuse(clk.now()));
}

}  // namespace
}  // namespace hw::app

namespace hw::app {
namespace {

TEST(KeyedBuckets, SeparateBucketsPerKey) {
  keyed_buckets t({1.0, 2.0}, 10);
  const time_point t0{};
  std::int64_t retry = 0;
  EXPECT_TRUE(t.try_take("a", t0, retry));
  EXPECT_TRUE(t.try_take("a", t0, retry));
  EXPECT_FALSE(t.try_take("a", t0, retry));
  EXPECT_EQ(retry, 1000);
  EXPECT_TRUE(t.try_take("b", t0, retry));
}

TEST(KeyedBuckets, IdleBucketsExpireOldestFirstWithoutAScan) {
  keyed_buckets t({1.0, 2.0}, 3);  // full again after 2 s idle
  const time_point t0{};
  std::int64_t retry = 0;
  EXPECT_TRUE(t.try_take("a", t0, retry));
  EXPECT_TRUE(t.try_take("b", t0 + std::chrono::milliseconds(500), retry));
  EXPECT_TRUE(t.try_take("c", t0 + std::chrono::milliseconds(1000), retry));
  // Full of limited clients: a new key waits for the oldest ("a", used at t0) to expire at 2 s.
  EXPECT_FALSE(t.try_take("d", t0 + std::chrono::milliseconds(1500), retry));
  EXPECT_EQ(retry, 500);
  EXPECT_EQ(t.size(t0 + std::chrono::milliseconds(1500)), 3U);
  // "a" used again: now "b" is the oldest.
  EXPECT_TRUE(t.try_take("a", t0 + std::chrono::milliseconds(1900), retry));
  EXPECT_EQ(t.size(t0 + std::chrono::milliseconds(2600)), 2U);  // "b" expired
  EXPECT_TRUE(t.try_take("d", t0 + std::chrono::milliseconds(2600), retry));
  EXPECT_EQ(t.size(t0 + std::chrono::seconds(60)), 0U);
}

TEST(KeyedBuckets, ForgettingAnIdleKeyGrantsNothingExtra) {
  keyed_buckets t({0.5, 1.0}, 100);  // one token, refilled in 2 s
  const time_point t0{};
  std::int64_t retry = 0;
  EXPECT_TRUE(t.try_take("a", t0, retry));
  EXPECT_FALSE(t.try_take("a", t0 + std::chrono::milliseconds(1999), retry));
  EXPECT_TRUE(t.try_take("a", t0 + std::chrono::milliseconds(4000), retry));
  EXPECT_FALSE(t.try_take("a", t0 + std::chrono::milliseconds(4001), retry));
}

}  // namespace
}  // namespace hw::app

#include "gateway/touch_throttle.hpp"

#include <gtest/gtest.h>

#include "app/testing.hpp"

namespace hw::gateway {
namespace {

using std::chrono::seconds;

TEST(GatewayTouchThrottle, OncePerIntervalPerGuest) {
  app::manual_clock clock;
  touch_throttle t(seconds(60), clock);
  EXPECT_TRUE(t.due("a"));  // never touched
  EXPECT_FALSE(t.due("a"));
  EXPECT_TRUE(t.due("b"));  // per guest
  clock.advance(seconds(59));
  EXPECT_FALSE(t.due("a"));
  clock.advance(seconds(1));
  EXPECT_TRUE(t.due("a"));  // an interval after the last touch, not after the last event
  EXPECT_FALSE(t.due("a"));
  EXPECT_EQ(t.size(), 2U);
}

TEST(GatewayTouchThrottle, AForgottenGuestIsDueAgain) {
  app::manual_clock clock;
  touch_throttle t(seconds(60), clock);
  EXPECT_TRUE(t.due("a"));
  t.forget("a");
  EXPECT_EQ(t.size(), 0U);
  EXPECT_TRUE(t.due("a"));
}

TEST(GatewayTouchThrottle, ZeroIntervalTouchesEveryTime) {
  app::manual_clock clock;
  touch_throttle t(std::chrono::milliseconds(0), clock);
  EXPECT_TRUE(t.due("a"));
  EXPECT_TRUE(t.due("a"));
}

}  // namespace
}  // namespace hw::gateway

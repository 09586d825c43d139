#include "net/conn_limits.hpp"

#include <gtest/gtest.h>

namespace hw::net {
namespace {

TEST(ConnLimits, PerIpAndTotalBounds) {
  conn_limits l(3, 2);
  EXPECT_EQ(l.try_acquire("a"), conn_limits::admit::ok);
  EXPECT_EQ(l.try_acquire("a"), conn_limits::admit::ok);
  EXPECT_EQ(l.try_acquire("a"), conn_limits::admit::over_per_ip);
  EXPECT_EQ(l.try_acquire("b"), conn_limits::admit::ok);
  EXPECT_EQ(l.try_acquire("c"), conn_limits::admit::over_total);
  EXPECT_EQ(l.open(), 3U);
  l.release("a");
  EXPECT_EQ(l.open_from("a"), 1U);
  EXPECT_EQ(l.try_acquire("c"), conn_limits::admit::ok);
  l.release("c");
  l.release("b");
  l.release("a");
  EXPECT_EQ(l.open(), 0U);
  EXPECT_EQ(l.open_from("a"), 0U);
  l.release("never-seen");  // harmless
  EXPECT_EQ(l.open(), 0U);
}

TEST(ConnLimits, EmptyKeyCountsOnlyTowardTheTotal) {
  conn_limits l(4, 1);
  for (int i = 0; i < 3; ++i)
    EXPECT_EQ(l.try_acquire(""), conn_limits::admit::ok);  // a trusted proxy
  EXPECT_EQ(l.try_acquire("a"), conn_limits::admit::ok);
  EXPECT_EQ(l.try_acquire(""), conn_limits::admit::over_total);
  l.release("");
  EXPECT_EQ(l.open(), 3U);
  EXPECT_EQ(l.try_acquire("a"), conn_limits::admit::over_per_ip);
  l.release("");
  l.release("");
  l.release("a");
  EXPECT_EQ(l.open(), 0U);
}

}  // namespace
}  // namespace hw::net

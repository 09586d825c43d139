#include "gateway/app_strand.hpp"

#include <gtest/gtest.h>

#include <boost/asio/io_context.hpp>
#include <chrono>
#include <string>
#include <vector>

#include "gateway/wakeup_timer.hpp"

namespace hw::gateway {
namespace {

using std::chrono::milliseconds;

TEST(GatewayAppStrand, EveryTaskIsFollowedByTheAfterStep) {
  boost::asio::io_context ioc;
  app_strand strand(ioc);
  std::vector<std::string> log;
  strand.set_after([&log] { log.emplace_back("after"); });
  strand.post([&log] { log.emplace_back("a"); });
  strand.post([&log] { log.emplace_back("b"); });
  EXPECT_TRUE(log.empty());  // never inline
  ioc.run();
  EXPECT_EQ(log, (std::vector<std::string>{"a", "after", "b", "after"}));
}

TEST(GatewayWakeupTimer, FiresOnceAtTheLastArmedDeadline) {
  boost::asio::io_context ioc;
  app_strand strand(ioc);
  int fired = 0;
  wakeup_timer timer(strand.executor(), [&fired] { ++fired; });
  const auto start = std::chrono::steady_clock::now();
  strand.post([&] {
    timer.arm(start + milliseconds(5));
    timer.arm(start + milliseconds(30));  // replaces the first wait
    timer.arm(std::nullopt);              // leaves it in place
  });
  ioc.run();
  EXPECT_EQ(fired, 1);
  EXPECT_GE(std::chrono::steady_clock::now() - start, milliseconds(30));
}

TEST(GatewayWakeupTimer, NothingArmedNothingFires) {
  boost::asio::io_context ioc;
  app_strand strand(ioc);
  int fired = 0;
  wakeup_timer timer(strand.executor(), [&fired] { ++fired; });
  strand.post([&timer] { timer.arm(std::nullopt); });
  ioc.run();
  EXPECT_EQ(fired, 0);
}

}  // namespace
}  // namespace hw::gateway

// engineio::session's heartbeat over in-memory transports: the server pings every pingInterval
// and ends a session whose pong is not back within pingTimeout ("ping timeout"). Real timers
// with short intervals on an io_context the test runs by hand.

#include <gtest/gtest.h>

#include <thread>

#include "engineio/fakes.hpp"

namespace hw::engineio {
namespace {

using namespace fakes;

options short_heartbeat(std::chrono::milliseconds interval, std::chrono::milliseconds timeout) {
  auto o = harness::defaults();
  o.ping_interval = interval;
  o.ping_timeout = timeout;
  return o;
}

TEST(EngineIoHeartbeat, APingIsSentEveryPingInterval) {
  harness h(short_heartbeat(300ms, 10s));
  auto t = h.start_ws();
  const auto started = std::chrono::steady_clock::now();
  h.run_for(20ms);
  EXPECT_EQ(t->count("2"), 0U);  // not before the interval
  ASSERT_TRUE(h.run_until([&] { return t->count("2") == 1; }));
  EXPECT_GE(std::chrono::steady_clock::now() - started, 290ms);
  // Answered, the next one follows an interval later.
  h.on_strand([&] { t->deliver("3"); });
  ASSERT_TRUE(h.run_until([&] { return t->count("2") == 2; }));
  EXPECT_TRUE(h.reasons.empty());
}

TEST(EngineIoHeartbeat, AnsweredPingsKeepTheSessionOpen) {
  harness h(short_heartbeat(30ms, 40ms));
  auto t = h.start_ws();
  std::size_t answered = 0;
  const auto until = std::chrono::steady_clock::now() + 400ms;
  while (std::chrono::steady_clock::now() < until) {
    h.run_for(5ms);
    for (; answered < t->count("2"); ++answered)
      h.on_strand([&] { t->deliver("3"); });
  }
  EXPECT_GE(answered, 4U);
  EXPECT_TRUE(h.reasons.empty());
  EXPECT_EQ(t->close_code, 0);
}

TEST(EngineIoHeartbeat, AMissingPongClosesWithPingTimeout) {
  harness h(short_heartbeat(50ms, 60ms));
  auto t = h.start_ws();
  const auto started = std::chrono::steady_clock::now();
  ASSERT_TRUE(h.run_until([&] { return !h.reasons.empty(); }));
  EXPECT_GE(std::chrono::steady_clock::now() - started, 100ms);  // interval + timeout
  EXPECT_EQ(t->count("2"), 1U);                                  // pinged once, then gave up
  EXPECT_EQ(h.reasons, std::vector<close_reason>{close_reason::ping_timeout});
  EXPECT_EQ(h.l->closes, std::vector<std::string>{"ping timeout"});
  EXPECT_EQ(t->close_code, 1000);
  EXPECT_EQ(h.gone, "sid");
}

TEST(EngineIoHeartbeat, APongThatIsNotAwaitedDoesNotPostponeTheNextPing) {
  harness h(short_heartbeat(100ms, 60ms));
  auto t = h.start_ws();
  // Unsolicited pongs before the first ping change nothing: the ping still comes on time and
  // its timeout still applies.
  for (int i = 0; i < 5; ++i) {
    h.on_strand([&] { t->deliver("3"); });
    h.run_for(10ms);
  }
  ASSERT_TRUE(h.run_until([&] { return !h.reasons.empty(); }));
  EXPECT_EQ(h.reasons, std::vector<close_reason>{close_reason::ping_timeout});
}

TEST(EngineIoHeartbeat, PollingPingsWaitInTheOutboxForThePoll) {
  harness h(short_heartbeat(30ms, 10s));
  h.start_polling();
  h.run_for(100ms);
  auto r = h.get();
  ASSERT_TRUE(r->done);
  EXPECT_EQ(r->body(), "2");  // one ping: the next waits for its pong
  h.post("3");
  auto next = h.get();
  ASSERT_TRUE(h.run_until([&] { return next->done; }));
  EXPECT_EQ(next->body(), "2");
}

TEST(EngineIoHeartbeat, ARequestAfterThePongDeadlineFindsTheSessionGone) {
  harness h(short_heartbeat(20ms, 20ms));
  h.start_polling();
  // The context is not run: no timer fires. The deadline passes all the same.
  std::this_thread::sleep_for(60ms);
  // Called directly (the test thread is the strand while the context is not run), so the poll
  // is handled before any timer could be.
  reply r;
  h.s->on_poll(
      [&r](http::response res) {
        r.done = true;
        r.r = std::move(res);
      },
      harness::base());
  ASSERT_TRUE(r.done);
  EXPECT_EQ(r.r.status, 400U);
  EXPECT_EQ(r.body(), R"({"code":1,"message":"Session ID unknown"})");
  EXPECT_EQ(h.reasons, std::vector<close_reason>{close_reason::ping_timeout});
}

}  // namespace
}  // namespace hw::engineio

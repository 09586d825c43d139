#include "engineio/session.hpp"

#include <gtest/gtest.h>

#include <boost/asio/io_context.hpp>
#include <boost/asio/strand.hpp>

namespace hw::engineio {
namespace {

using namespace std::chrono_literals;

/// A WebSocket that records what the session does to it.
class fake_ws final : public net::ws_connection {
 public:
  net::send_result send(std::shared_ptr<const std::string> payload, bool /*binary*/,
                        bool /*droppable*/) override {
    sent.push_back(*payload);
    return net::send_result::queued;
  }
  void close(std::uint16_t code, std::string_view /*reason*/) override { closed_with = code; }
  [[nodiscard]] std::size_t queued_bytes() const override { return 0; }
  net::input_hold hold_input() override { return std::make_shared<int>(0); }  // never pauses

  std::vector<std::string> sent;
  std::uint16_t closed_with = 0;
};

struct fixture {
  fixture() {
    opts.ping_interval = 10s;
    opts.ping_timeout = 50ms;
    s = std::make_shared<session>(boost::asio::make_strand(ioc), "sid", opts,
                                  [this](const std::string& id) { gone = id; });
  }
  void run_for(std::chrono::milliseconds d) {
    ioc.restart();
    ioc.run_for(d);
  }
  boost::asio::io_context ioc;
  options opts;
  std::shared_ptr<session> s;
  std::string gone;
};

TEST(EngineIoSession, ASessionWithoutTransportIsEndedAfterThePingTimeout) {
  fixture f;
  boost::asio::post(f.s->executor(), [&] { f.s->watch_start(); });
  f.run_for(20ms);
  EXPECT_EQ(f.gone, "");
  f.run_for(200ms);
  EXPECT_EQ(f.gone, "sid");
}

TEST(EngineIoSession, AStartedSessionIsNotEndedByTheStartWatch) {
  fixture f;
  boost::asio::post(f.s->executor(), [&] {
    f.s->watch_start();
    f.s->start_polling(nullptr);
  });
  f.run_for(200ms);
  EXPECT_EQ(f.gone, "");  // the heartbeat (10 s) took the timer over
  f.s->abandon();
}

TEST(EngineIoSession, AProbeThatNeverSends2probeIsClosedAfterThePingTimeout) {
  fixture f;
  auto ws = std::make_shared<fake_ws>();
  ASSERT_TRUE(f.s->try_claim_websocket());
  EXPECT_FALSE(f.s->try_claim_websocket());  // one probe at a time
  boost::asio::post(f.s->executor(), [&] {
    f.s->start_polling(nullptr);
    f.s->on_probe_open(ws);
  });
  f.run_for(20ms);
  EXPECT_EQ(ws->closed_with, 0);
  f.run_for(200ms);
  EXPECT_EQ(ws->closed_with, 1000);
  boost::asio::post(f.s->executor(), [&] { f.s->on_probe_closed(ws); });
  f.run_for(10ms);
  EXPECT_TRUE(f.s->try_claim_websocket());  // the claim was given back
  EXPECT_EQ(f.gone, "");                    // the session itself lives on
  f.s->abandon();
}

TEST(EngineIoSession, EndingASessionClosesItsProbe) {
  fixture f;
  f.opts.ping_timeout = 10s;
  auto ws = std::make_shared<fake_ws>();
  ASSERT_TRUE(f.s->try_claim_websocket());
  boost::asio::post(f.s->executor(), [&] {
    f.s->start_polling(nullptr);
    f.s->on_probe_open(ws);
  });
  f.run_for(10ms);
  f.s->close("test");
  f.run_for(10ms);
  EXPECT_EQ(ws->closed_with, 1000);
  EXPECT_EQ(f.gone, "sid");
}

}  // namespace
}  // namespace hw::engineio

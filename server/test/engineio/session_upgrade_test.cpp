// engineio::session's upgrade from polling to a WebSocket probe, over in-memory transports: the
// probe ("2probe" → "3probe"), the held poll released with a noop, "5" moving the session and its
// outbox onto the probe, one probe at a time, and probes that misbehave or time out.

#include <gtest/gtest.h>

#include "engineio/fakes.hpp"

namespace hw::engineio {
namespace {

using namespace fakes;

/// A polling session with a claimed, opened probe.
struct probing : harness {
  explicit probing(options o = defaults()) : harness(std::move(o)) {
    start_polling();
    EXPECT_TRUE(s->try_claim_websocket());
    on_strand([this] { s->on_probe_open(probe); });
  }
  std::shared_ptr<fake_transport> probe = std::make_shared<fake_transport>();
};

TEST(EngineIoUpgrade, ProbeThenUpgradeMovesTheSessionOntoTheWebSocket) {
  probing h;
  auto poll = h.get();  // the client's poll, held
  h.on_strand([&] { h.probe->deliver("2probe"); });
  EXPECT_EQ(h.probe->sent, std::vector<std::string>{"3probe"});
  // The held poll is released with a noop shortly, so the client can pause polling.
  ASSERT_TRUE(h.run_until([&] { return poll->done; }));
  EXPECT_EQ(poll->body(), "6");
  // Queued before "5": waits, then leaves on the WebSocket in order.
  h.send("before");
  h.drain();
  h.on_strand([&] { h.probe->deliver("5"); });
  EXPECT_EQ(h.probe->sent, (std::vector<std::string>{"3probe", "4before"}));
  // From here on, sends go straight to the WebSocket; polls are refused.
  h.send("after");
  EXPECT_EQ(h.probe->sent.back(), "4after");
  EXPECT_EQ(h.get()->r.status, 400U);
  h.on_strand([&] { h.probe->deliver("4up"); });
  EXPECT_EQ(h.l->messages, std::vector<std::string>{"up"});
  // The WebSocket closing now ends the session.
  h.on_strand([&] { h.probe->drop(); });
  EXPECT_EQ(h.reasons, std::vector<close_reason>{close_reason::transport_close});
}

TEST(EngineIoUpgrade, APollThatRacedTheUpgradePacketIsRefused) {
  probing h;
  h.on_strand([&] { h.probe->deliver("2probe"); });
  auto racing = h.get();
  EXPECT_FALSE(racing->done);  // held: a noop would come after 100 ms
  h.on_strand([&] { h.probe->deliver("5"); });
  ASSERT_TRUE(racing->done);
  EXPECT_EQ(racing->r.status, 400U);
  EXPECT_TRUE(h.reasons.empty());
}

TEST(EngineIoUpgrade, APollDuringTheUpgradeStillGetsDataAtOnce) {
  probing h;
  h.on_strand([&] { h.probe->deliver("2probe"); });
  h.send("data");
  h.drain();
  auto poll = h.get();
  ASSERT_TRUE(poll->done);
  EXPECT_EQ(poll->body(), "4data");
}

TEST(EngineIoUpgrade, OnlyOneProbeAtATime) {
  probing h;
  EXPECT_FALSE(h.s->try_claim_websocket());  // refused while the first probe holds the claim
  auto second = std::make_shared<fake_transport>();
  h.on_strand([&] { h.s->on_probe_open(second); });  // and closed should one get through
  EXPECT_EQ(second->close_code, 1000);
  EXPECT_FALSE(second->has_owner());
  EXPECT_EQ(h.probe->close_code, 0);  // the first probe is untouched
}

TEST(EngineIoUpgrade, AProbeThatSendsSomethingElseIsClosedAndTheSessionLivesOn) {
  for (const std::string bad : {"5", "2probe?", "4hello", "x"}) {
    probing h;
    h.on_strand([&] { h.probe->deliver(bad); });
    EXPECT_EQ(h.probe->close_code, 1002) << bad;
    EXPECT_EQ(h.probe->close_text, "bad probe") << bad;
    EXPECT_TRUE(h.l->messages.empty()) << bad;
    EXPECT_TRUE(h.reasons.empty()) << bad;
    EXPECT_TRUE(h.s->try_claim_websocket()) << bad;  // the claim was given back
  }
  probing b;  // a binary message is no probe either
  b.on_strand([&] { b.probe->deliver_binary("\x01"); });
  EXPECT_EQ(b.probe->close_code, 1002);
  EXPECT_TRUE(b.l->messages.empty());
}

TEST(EngineIoUpgrade, ASecondProbePacketIsRefused) {
  probing h;
  h.on_strand([&] {
    h.probe->deliver("2probe");
    h.probe->deliver("2probe");
  });
  EXPECT_EQ(h.probe->count("3probe"), 1U);
  EXPECT_EQ(h.probe->close_code, 1002);
  // Still polling: a poll is held, not refused.
  auto poll = h.get();
  EXPECT_FALSE(poll->done);
}

TEST(EngineIoUpgrade, AProbeThatNeverSends2probeTimesOut) {
  auto o = harness::defaults();
  o.ping_timeout = 50ms;
  probing h(o);
  h.run_for(10ms);
  EXPECT_EQ(h.probe->close_code, 0);
  ASSERT_TRUE(h.run_until([&] { return h.probe->close_code != 0; }));
  EXPECT_EQ(h.probe->close_code, 1000);
  EXPECT_EQ(h.probe->close_text, "upgrade timeout");
  EXPECT_EQ(h.reasons, std::vector<close_reason>{close_reason::upgrade_timeout});
  h.on_strand([&] { h.probe->drop(); });  // its close reaches the session: nothing more happens
  EXPECT_TRUE(h.s->try_claim_websocket());
  EXPECT_EQ(h.gone, "");  // the session itself lives on
}

TEST(EngineIoUpgrade, AProbeThatClosesGivesTheClaimBack) {
  probing h;
  h.on_strand([&] { h.probe->drop(); });
  EXPECT_TRUE(h.reasons.empty());
  EXPECT_TRUE(h.s->try_claim_websocket());
}

TEST(EngineIoUpgrade, EndingASessionClosesItsProbe) {
  probing h;
  h.s->close("test");
  h.drain();
  EXPECT_EQ(h.probe->close_code, 1000);
  EXPECT_EQ(h.gone, "sid");
  EXPECT_FALSE(h.s->try_claim_websocket());  // nothing probes a closed session
}

TEST(EngineIoUpgrade, AWebSocketSessionCannotBeProbed) {
  harness h;
  h.start_ws();
  EXPECT_FALSE(h.s->try_claim_websocket());
}

}  // namespace
}  // namespace hw::engineio

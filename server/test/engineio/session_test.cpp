// engineio::session over in-memory transports: handshake, close (and the reason reported),
// outbox bounds. Heartbeat and upgrade: session_heartbeat_test.cpp, session_upgrade_test.cpp.

#include "engineio/session.hpp"

#include <gtest/gtest.h>

#include <boost/json.hpp>

#include "engineio/fakes.hpp"

namespace hw::engineio {
namespace {

using namespace fakes;
namespace json = boost::json;

json::object open_fields(const std::string& packet) {
  EXPECT_EQ(packet.substr(0, 1), "0");
  return json::parse(packet.substr(1)).as_object();
}

// ---- handshake ---------------------------------------------------------------------------------

TEST(EngineIoSession, AWebSocketSessionSendsTheOpenPacketFirst) {
  auto o = harness::defaults();
  o.ping_interval = 25'000ms;
  o.ping_timeout = 20'000ms;
  o.max_payload = 12345;
  harness h(o);
  auto t = h.start_ws();
  ASSERT_EQ(t->sent.size(), 1U);
  const auto open = open_fields(t->sent[0]);
  EXPECT_EQ(open.at("sid").as_string(), "sid");
  EXPECT_EQ(open.at("upgrades").as_array(), json::array());  // nothing above a WebSocket
  EXPECT_EQ(open.at("pingInterval").as_int64(), 25000);
  EXPECT_EQ(open.at("pingTimeout").as_int64(), 20000);
  EXPECT_EQ(open.at("maxPayload").as_int64(), 12345);
  // Messages from the layer above follow it, straight into the transport's own queue.
  EXPECT_EQ(h.send("hello"), net::send_result::queued);
  EXPECT_EQ(t->sent.back(), "4hello");
}

TEST(EngineIoSession, TheHandshakeGetOfPollingCarriesTheOpenPacket) {
  harness h;
  auto r = h.start_polling();
  ASSERT_TRUE(r->done);
  EXPECT_EQ(r->r.status, 200U);
  EXPECT_EQ(r->r.headers.get("content-type"), "text/plain; charset=UTF-8");
  EXPECT_EQ(r->r.headers.get("cache-control"), "no-store");  // the server's base headers stay
  const auto open = open_fields(r->body());
  EXPECT_EQ(open.at("upgrades").as_array(), json::array({"websocket"}));
  EXPECT_EQ(open.at("sid").as_string(), "sid");
}

TEST(EngineIoSession, PollingMessagesWaitForThePollAndLeaveInOnePayload) {
  harness h;
  h.start_polling();
  h.send("a");
  outgoing bin;
  bin.text = std::make_shared<const std::string>("4b");
  bin.binaries.push_back(std::make_shared<const std::string>("\x01\x02"));
  h.s->send(std::move(bin));
  h.drain();
  auto r = h.get();
  ASSERT_TRUE(r->done);
  EXPECT_EQ(r->body(),
            "4a\x1e"
            "4b\x1e"
            "bAQI=");
  auto next = h.get();
  EXPECT_FALSE(next->done);  // held until there is something to send
  h.send("c");
  h.drain();
  EXPECT_EQ(next->body(), "4c");
}

TEST(EngineIoSession, PostedPacketsReachTheListenerInOrder) {
  harness h;
  h.start_polling();
  auto r = h.post(
      "4one\x1e"
      "bAQI=\x1e"
      "6\x1e"
      "4two");
  ASSERT_TRUE(r->done);
  EXPECT_EQ(r->r.status, 200U);
  EXPECT_EQ(r->body(), "ok");
  EXPECT_EQ(h.l->messages, (std::vector<std::string>{"one", "bin:\x01\x02", "two"}));
}

TEST(EngineIoSession, ASessionWithoutTransportIsEndedAfterThePingTimeout) {
  auto o = harness::defaults();
  o.ping_timeout = 50ms;
  harness h(o);
  h.on_strand([&] { h.s->watch_start(); });
  h.run_for(10ms);
  EXPECT_EQ(h.gone, "");
  ASSERT_TRUE(h.run_until([&] { return !h.gone.empty(); }));
  EXPECT_EQ(h.gone, "sid");
  EXPECT_EQ(h.reasons, std::vector<close_reason>{close_reason::never_started});
}

TEST(EngineIoSession, AStartedSessionIsNotEndedByTheStartWatch) {
  auto o = harness::defaults();
  o.ping_timeout = 50ms;
  harness h(o);
  h.on_strand([&] { h.s->watch_start(); });
  h.start_ws();
  h.run_for(200ms);
  EXPECT_EQ(h.gone, "");  // the heartbeat (10 s) took the timer over
  EXPECT_TRUE(h.reasons.empty());
}

// ---- close -------------------------------------------------------------------------------------

TEST(EngineIoSession, AClientCloseOnWebSocketEndsTheSession) {
  harness h;
  auto t = h.start_ws();
  h.on_strand([&] { t->deliver("1"); });
  EXPECT_EQ(h.reasons, std::vector<close_reason>{close_reason::client_close});
  EXPECT_EQ(h.l->closes, std::vector<std::string>{"transport close"});  // engine.io's wording
  EXPECT_EQ(t->close_code, 1000);
  EXPECT_EQ(h.gone, "sid");
  EXPECT_EQ(h.send("late"), net::send_result::closed);
}

TEST(EngineIoSession, AClientCloseWithAPollWaitingAnswersItWithANoop) {
  harness h;
  h.start_polling();
  auto poll = h.get();
  auto post = h.post("1");
  EXPECT_EQ(post->body(), "ok");
  EXPECT_EQ(poll->body(), "6");
  EXPECT_EQ(h.reasons, std::vector<close_reason>{close_reason::client_close});
  EXPECT_EQ(h.gone, "sid");
}

TEST(EngineIoSession, AClientCloseWithNoPollWaitingKeepsTheSidForARacingPoll) {
  harness h;
  h.start_polling();
  h.post("1");
  // The layers above learn at once ...
  EXPECT_EQ(h.l->closes, std::vector<std::string>{"transport close"});
  EXPECT_EQ(h.reasons, std::vector<close_reason>{close_reason::client_close});
  // ... but a poll sent before the close gets its noop, not "Session ID unknown".
  EXPECT_EQ(h.gone, "");
  auto racing = h.get();
  EXPECT_EQ(racing->body(), "6");
  EXPECT_EQ(h.gone, "sid");
}

TEST(EngineIoSession, ATransportThatGoesAwayClosesTheSession) {
  harness h;
  auto t = h.start_ws();
  h.on_strand([&] { t->drop(); });
  EXPECT_EQ(h.reasons, std::vector<close_reason>{close_reason::transport_close});
  EXPECT_EQ(h.l->closes, std::vector<std::string>{"transport close"});
  EXPECT_EQ(h.gone, "sid");
}

TEST(EngineIoSession, AServerCloseAnswersTheHeldPollWithWhatWasQueuedThenClose) {
  harness h;
  h.start_polling();
  auto poll = h.get();
  h.s->close(close_reason::server_shutdown);
  h.drain();
  EXPECT_EQ(poll->body(), "1");
  EXPECT_EQ(h.l->closes, std::vector<std::string>{"server shutting down"});
  EXPECT_EQ(h.reasons, std::vector<close_reason>{close_reason::server_shutdown});
  // Without a poll waiting, the next one gets the queue and the close packet.
  harness g;
  g.start_polling();
  g.send("last");
  g.drain();
  g.s->close(close_reason::server_shutdown);
  g.drain();
  EXPECT_EQ(g.get()->body(),
            "4last\x1e"
            "1");
}

TEST(EngineIoSession, ACloseFromTheLayerAboveKeepsItsTextAndCountsByIt) {
  harness h;
  h.start_ws();
  h.s->close("connect timeout");
  h.drain();
  EXPECT_EQ(h.l->closes, std::vector<std::string>{"connect timeout"});
  EXPECT_EQ(h.reasons, std::vector<close_reason>{close_reason::forced_close});
  harness g;
  g.start_ws();
  g.s->close("parse error");  // a Socket.IO packet that did not decode
  g.drain();
  EXPECT_EQ(g.reasons, std::vector<close_reason>{close_reason::parse_error});
  EXPECT_EQ(g.l->closes, std::vector<std::string>{"parse error"});
}

TEST(EngineIoSession, UndecodableInputIsAParseError) {
  harness h;
  auto t = h.start_ws();
  h.on_strand([&] { t->deliver("x"); });
  EXPECT_EQ(h.reasons, std::vector<close_reason>{close_reason::parse_error});
  harness p;
  p.start_polling();
  auto r = p.post("b!!!");  // bad base64
  EXPECT_EQ(r->r.status, 400U);
  EXPECT_EQ(p.reasons, std::vector<close_reason>{close_reason::parse_error});
  harness o;  // a packet type a client never sends
  auto t2 = o.start_ws();
  o.on_strand([&] { t2->deliver("0"); });
  EXPECT_EQ(o.reasons, std::vector<close_reason>{close_reason::parse_error});
}

TEST(EngineIoSession, OverlappingPollsAreATransportError) {
  harness h;
  h.start_polling();
  auto first = h.get();
  auto second = h.get();
  EXPECT_EQ(second->r.status, 400U);
  EXPECT_EQ(first->body(), "1");  // the first learns of the close
  EXPECT_EQ(h.reasons, std::vector<close_reason>{close_reason::transport_error});
  EXPECT_EQ(h.l->closes, std::vector<std::string>{"transport error"});
}

TEST(EngineIoSession, APostOverMaxPayloadIsATransportError) {
  auto o = harness::defaults();
  o.max_payload = 8;
  harness h(o);
  h.start_polling();
  auto r = h.post("4123456789");
  EXPECT_EQ(r->r.status, 413U);
  EXPECT_EQ(h.reasons, std::vector<close_reason>{close_reason::transport_error});
}

TEST(EngineIoSession, TheSessionEndsOnceAndReportsOnce) {
  harness h;
  auto t = h.start_ws();
  h.on_strand([&] {
    t->drop();
    t->deliver("1");
    h.s->close(close_reason::server_shutdown);
  });
  EXPECT_EQ(h.reasons.size(), 1U);
  EXPECT_EQ(h.l->closes.size(), 1U);
}

// ---- outbox bounds -----------------------------------------------------------------------------

TEST(EngineIoSession, APollingClientThatStopsPollingIsClosedAsASlowConsumer) {
  auto o = harness::defaults();
  o.send_queue_bytes = 1000;
  harness h(o);
  h.start_polling();
  const std::string chunk(500, 'x');
  for (int i = 0; i < 7; ++i)
    h.send(chunk);  // 7 × 501 bytes + 6 separators: 3513, under 4 × 1000
  h.drain();
  EXPECT_TRUE(h.reasons.empty());
  h.send(chunk);  // 4015
  h.drain();
  EXPECT_EQ(h.reasons, std::vector<close_reason>{close_reason::slow_consumer});
  EXPECT_EQ(h.l->closes, std::vector<std::string>{"slow consumer"});
}

TEST(EngineIoSession, VolatileMessagesAreDroppedWhileThePollingOutboxIsCongested) {
  auto o = harness::defaults();
  o.send_queue_bytes = 1000;
  harness h(o);
  h.start_polling();
  EXPECT_EQ(h.send(std::string(300, 'x'), true), net::send_result::queued);
  h.drain();
  EXPECT_EQ(h.send("v", true), net::send_result::dropped);  // over a quarter of the bound
  EXPECT_EQ(h.send("kept"), net::send_result::queued);      // others still queue
  h.drain();
  auto r = h.get();
  EXPECT_EQ(r->body(), "4" + std::string(300, 'x') +
                           "\x1e"
                           "4kept");
  EXPECT_EQ(h.send("v", true), net::send_result::queued);  // the poll emptied it
}

TEST(EngineIoSession, AWebSocketIsBoundedByItsOwnQueueNotTheOutbox) {
  auto o = harness::defaults();
  o.send_queue_bytes = 100;
  harness h(o);
  auto t = h.start_ws();
  EXPECT_EQ(h.send(std::string(1000, 'x')), net::send_result::queued);
  t->now_result = net::send_result::dropped;  // the connection's queue is congested
  EXPECT_EQ(h.send("v", true), net::send_result::dropped);
  h.drain();
  EXPECT_TRUE(h.reasons.empty());
}

}  // namespace
}  // namespace hw::engineio

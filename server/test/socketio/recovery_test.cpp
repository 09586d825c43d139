// Connection state recovery over in-memory input (test_harness.hpp): a socket whose transport is
// lost is detached and kept for the window (same id, rooms, packets buffered); a CONNECT with its
// pid and the client's last offset re-attaches it and replays what the client missed, in order
// and once, even while the application keeps emitting to it; recovery fails when the window
// passed, the socket was evicted or disconnected, or packets it missed were dropped.

#include <gtest/gtest.h>

#include <algorithm>
#include <boost/json/serialize.hpp>

#include "socketio/test_harness.hpp"

namespace hw::socketio::test {
namespace {

using namespace std::chrono_literals;
namespace json = boost::json;
using protocol::sio::packet_type;

struct fixture : harness {
  explicit fixture(options o) : harness(o) {}
  static options with_window(millis window) {
    options o;
    o.recovery_window = window;
    return o;
  }
  /// A client connected to "/" and its socket.
  std::pair<peer, socket_ptr> connect() {
    auto p = open();
    p.in("0");
    return {p, connected.back()};
  }
  /// A new connection recovering `pid` from the client's `offset` (none: "offset" absent).
  peer reconnect(const std::string& pid, std::optional<std::uint64_t> offset) {
    auto p = open();
    json::object auth{{"pid", pid}};
    if (offset) auth["offset"] = std::to_string(*offset);
    p.in("0" + json::serialize(auth));
    return p;
  }
};

void emit_text(const socket_ptr& s, const std::string& text) {
  event_args a;
  a.args.emplace_back(text);
  s->emit("m", a);
}

bool has_room(const socket_ptr& s, const std::string& room) {
  const auto rooms = s->rooms();
  return std::find(rooms.begin(), rooms.end(), room) != rooms.end();
}

/// The recovery offset an event carries (its last argument), as socket.io-client reads it.
std::uint64_t offset_of(const sent_packet& p) {
  return std::stoull(std::string(p.p.data.as_array().back().as_string()));
}

/// What a client would show of the events in `packets`: "name:text" each (first argument).
std::vector<std::string> texts(const std::vector<sent_packet>& packets) {
  std::vector<std::string> out;
  for (const auto& p : packets) {
    if (p.p.type != packet_type::event) continue;
    out.push_back(p.event() + ":" + std::string(p.p.data.as_array().at(1).as_string()));
  }
  return out;
}

TEST(SocketIoRecovery, ALostTransportKeepsTheSocketForTheWindow) {
  fixture f(fixture::with_window(10s));
  auto [p, s] = f.connect();
  s->join("room");
  emit_text(s, "before");
  p.lose_transport();
  ASSERT_EQ(f.disconnected.size(), 1U);
  EXPECT_EQ(f.disconnected[0].second, "transport close");
  EXPECT_FALSE(s->connected());
  EXPECT_TRUE(s->recoverable());
  EXPECT_EQ(f.srv->recoverable_count(), 1U);
  EXPECT_TRUE(has_room(s, "room"));
  emit_text(s, "away");  // not sent (no transport) but buffered
  EXPECT_EQ(s->buffered_packets(), 2U);
  broadcast_options to;
  to.rooms = {"room"};
  EXPECT_EQ(f.srv->of("/").emit(to, "m", {}), 1U);  // still a member while away
  EXPECT_EQ(s->buffered_packets(), 3U);
}

TEST(SocketIoRecovery, AReconnectWithPidAndOffsetGetsWhatItMissedInOrder) {
  fixture f(fixture::with_window(10s));
  auto [p, s] = f.connect();
  s->join("room");
  emit_text(s, "1");
  emit_text(s, "2");
  emit_text(s, "3");  // lost with the transport: the client saw up to "2"
  const auto seen = offset_of(p.at(2));
  p.lose_transport();
  emit_text(s, "4");
  emit_text(s, "5");
  auto q = f.reconnect(s->pid(), seen);
  const auto got = q.all();
  ASSERT_GE(got.size(), 1U);
  EXPECT_EQ(got[0].p.type, packet_type::connect);
  EXPECT_EQ(got[0].field("sid"), s->id());  // the same socket
  EXPECT_EQ(got[0].field("pid"), s->pid());
  EXPECT_EQ(texts(got), (std::vector<std::string>{"m:3", "m:4", "m:5"}));
  ASSERT_EQ(f.connected.size(), 2U);
  EXPECT_EQ(f.connected[1], s);
  EXPECT_TRUE(s->recovered());
  EXPECT_TRUE(s->connected());
  EXPECT_EQ(f.srv->recoverable_count(), 0U);
  EXPECT_TRUE(has_room(s, "room"));
  EXPECT_TRUE(has_room(s, s->id()));
  emit_text(s, "6");  // live again, on the new connection
  EXPECT_EQ(texts(q.all()).back(), "m:6");
  EXPECT_EQ(p.count(), 4U);  // the old connection got nothing more
}

TEST(SocketIoRecovery, WithoutAnOffsetEverythingKeptIsReplayed) {
  fixture f(fixture::with_window(10s));
  auto [p, s] = f.connect();
  p.lose_transport();
  emit_text(s, "a");
  emit_text(s, "b");
  auto q = f.reconnect(s->pid(), std::nullopt);
  EXPECT_EQ(texts(q.all()), (std::vector<std::string>{"m:a", "m:b"}));
}

TEST(SocketIoRecovery, VolatileAndAckedEventsAreNotReplayed) {
  fixture f(fixture::with_window(10s));
  auto [p, s] = f.connect();
  event_args a;
  a.args.emplace_back("v");
  emit_options vol;
  vol.is_volatile = true;
  s->emit("m", a, vol);
  emit_options acked;
  acked.ack = [](const std::optional<event_args>&) {};
  s->emit("m", a, acked);
  EXPECT_EQ(p.at(1).p.data.as_array().size(), 2U);  // no offset on either
  EXPECT_EQ(p.at(2).p.data.as_array().size(), 2U);
  EXPECT_EQ(s->buffered_packets(), 0U);
}

TEST(SocketIoRecovery, AfterTheWindowTheClientStartsAfresh) {
  fixture f(fixture::with_window(50ms));
  auto [p, s] = f.connect();
  p.lose_transport();
  f.run_for(150ms);
  EXPECT_EQ(f.srv->recoverable_count(), 0U);
  EXPECT_FALSE(s->recoverable());
  auto q = f.reconnect(s->pid(), std::nullopt);
  const auto ok = q.at(0);
  EXPECT_EQ(ok.p.type, packet_type::connect);
  EXPECT_NE(ok.field("sid"), s->id());
  EXPECT_NE(ok.field("pid"), s->pid());
  EXPECT_FALSE(f.connected.back()->recovered());
}

TEST(SocketIoRecovery, RecoveryFailsWhenPacketsItMissedWereDropped) {
  options o = fixture::with_window(10s);
  o.recovery_packets = 3;
  fixture f(o);
  auto [p, s] = f.connect();
  emit_text(s, "seen");
  const auto seen = offset_of(p.last());
  p.lose_transport();
  for (int i = 0; i < 5; ++i)
    emit_text(s, std::to_string(i));  // the oldest two are dropped: the client cannot catch up
  auto q = f.reconnect(s->pid(), seen);
  EXPECT_EQ(q.at(0).p.type, packet_type::connect);
  EXPECT_TRUE(q.conn->closed);
  EXPECT_EQ(q.conn->close_reason, "recovery failed");
  EXPECT_FALSE(s->recoverable());
  EXPECT_EQ(s->buffered_packets(), 0U);
  EXPECT_TRUE(s->rooms().empty());
  EXPECT_EQ(f.connected.size(), 1U);  // no connection handler for it
}

TEST(SocketIoRecovery, AnEvictedSocketCannotBeRecovered) {
  options o = fixture::with_window(10s);
  o.recovery_total_bytes = 3000;  // two sockets of ~1 KB plus packets do not fit
  fixture f(o);
  auto [p1, first] = f.connect();
  auto [p2, second] = f.connect();
  emit_text(first, std::string(600, 'x'));
  emit_text(second, std::string(600, 'y'));
  p1.lose_transport();
  p2.lose_transport();  // over the budget: the socket that waits longest goes
  EXPECT_EQ(f.srv->recoverable_count(), 1U);
  EXPECT_FALSE(first->recoverable());
  auto q = f.reconnect(first->pid(), std::nullopt);
  EXPECT_NE(q.at(0).field("sid"), first->id());  // afresh
  auto r = f.reconnect(second->pid(), std::nullopt);
  EXPECT_EQ(r.at(0).field("sid"), second->id());
}

TEST(SocketIoRecovery, ASocketDisconnectedByTheServerWhileAwayIsNotRecovered) {
  fixture f(fixture::with_window(10s));
  auto [p, s] = f.connect();
  p.lose_transport();
  s->disconnect();
  EXPECT_EQ(f.srv->recoverable_count(), 0U);
  auto q = f.reconnect(s->pid(), std::nullopt);
  EXPECT_NE(q.at(0).field("sid"), s->id());
}

TEST(SocketIoRecovery, APidOfAnotherNamespaceStartsAfreshAndEndsTheOldSocket) {
  fixture f(fixture::with_window(10s));
  f.srv->of("/other");
  auto [p, s] = f.connect();
  p.lose_transport();
  auto q = f.open();
  q.in(R"(0/other,{"pid":")" + s->pid() + R"("})");
  EXPECT_EQ(q.at(0).p.nsp, "/other");
  EXPECT_NE(q.at(0).field("sid"), s->id());
  EXPECT_FALSE(s->recoverable());
  EXPECT_EQ(f.srv->recoverable_count(), 0U);
}

TEST(SocketIoRecovery, WithRecoveryOffAPidIsIgnored) {
  fixture f(fixture::with_window(0ms));
  auto [p, s] = f.connect();
  p.lose_transport();
  EXPECT_EQ(f.srv->recoverable_count(), 0U);
  auto q = f.reconnect("whatever", 1);
  EXPECT_EQ(q.at(0).p.type, packet_type::connect);
  EXPECT_EQ(q.at(0).p.data.as_object().if_contains("pid"), nullptr);
}

// The flaky abuse_events test (an acked message "lost" after a recovery): the application emits
// to a socket on its own strand while the recovering connection replays on another. Here the
// application's emit runs right when the recovering connection sends its CONNECT answer. A new
// packet that reaches the client before the missed ones is delivered out of order, and its
// offset (the client's recovery offset from then on) is beyond packets the client has not
// received yet: a second drop at that moment loses them for good.
TEST(SocketIoRecovery, APacketEmittedDuringTheReplayFollowsTheMissedOnesOnce) {
  fixture f(fixture::with_window(10s));
  auto [p, s] = f.connect();
  emit_text(s, "seen");
  const auto seen = offset_of(p.last());
  p.lose_transport();
  for (int i = 0; i < 3; ++i)
    emit_text(s, "missed " + std::to_string(i));
  auto q = f.open();
  bool emitted = false;
  q.conn->on_send = [&] {
    if (emitted) return;
    emitted = true;
    emit_text(s, "new");  // the app strand, between the CONNECT answer and the replay
  };
  q.in(R"(0{"pid":")" + s->pid() + R"(","offset":")" + std::to_string(seen) + R"("})");
  const auto got = q.all();
  EXPECT_EQ(texts(got),
            (std::vector<std::string>{"m:missed 0", "m:missed 1", "m:missed 2", "m:new"}));
  // The client's offset only grows: after any prefix it names the last packet it has.
  std::uint64_t last = seen;
  for (const auto& g : got) {
    if (g.p.type != packet_type::event) continue;
    EXPECT_GT(offset_of(g), last) << g.json();
    last = offset_of(g);
  }
}

TEST(SocketIoRecovery, APacketEmittedInTheMiddleOfTheReplayWaitsForItsEnd) {
  fixture f(fixture::with_window(10s));
  auto [p, s] = f.connect();
  p.lose_transport();
  for (int i = 0; i < 3; ++i)
    emit_text(s, std::to_string(i));
  auto q = f.open();
  int sends = 0;
  q.conn->on_send = [&] {
    if (++sends == 2) emit_text(s, "new");  // after the first replayed packet
  };
  q.in(R"(0{"pid":")" + s->pid() + R"("})");
  EXPECT_EQ(texts(q.all()), (std::vector<std::string>{"m:0", "m:1", "m:2", "m:new"}));
}

}  // namespace
}  // namespace hw::socketio::test

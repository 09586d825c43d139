// The Socket.IO client over in-memory input (test_harness.hpp): CONNECT (to "/", to an unknown
// namespace, too large), middleware, the connect timeout, events and acks in both directions,
// binary reassembly and its bounds, and the client's DISCONNECT. Every packet the server sends
// is checked as the client would decode it (an Engine.IO message carrying a Socket.IO packet).

#include <gtest/gtest.h>

#include <boost/asio/post.hpp>
#include <boost/json/parse.hpp>
#include <thread>

#include "socketio/test_harness.hpp"

namespace hw::socketio::test {
namespace {

using namespace std::chrono_literals;
namespace json = boost::json;
using protocol::sio::packet_type;

/// Recovery off unless asked.
struct fixture : harness {
  explicit fixture(options o = no_recovery()) : harness(o) {}
  static options no_recovery() {
    options o;
    o.recovery_window = 0ms;
    return o;
  }
};

TEST(SocketIoClient, ConnectToTheMainNamespaceAnswersWithTheSocketId) {
  fixture f;
  auto p = f.open();
  p.in("0");
  ASSERT_EQ(p.count(), 1U);
  const auto ok = p.at(0);
  EXPECT_EQ(ok.p.type, packet_type::connect);
  EXPECT_EQ(ok.p.nsp, "/");
  ASSERT_EQ(f.connected.size(), 1U);
  EXPECT_EQ(ok.field("sid"), f.connected[0]->id());
  EXPECT_EQ(ok.p.data.as_object().if_contains("pid"), nullptr);  // no recovery: no pid
  EXPECT_TRUE(f.connected[0]->connected());
  EXPECT_TRUE(f.connected[0]->auth().empty());  // released after the connection handler
  p.in("0");                                    // again: already connected, nothing happens
  EXPECT_EQ(p.count(), 1U);
  EXPECT_FALSE(p.conn->closed);
}

TEST(SocketIoClient, ConnectWithRecoveryOnCarriesAPid) {
  options o;
  o.recovery_window = 10s;
  fixture f(o);
  auto p = f.open();
  p.in("0");
  EXPECT_EQ(p.at(0).field("pid"), f.connected.at(0)->pid());
  EXPECT_EQ(f.connected[0]->pid().size(), 20U);
}

TEST(SocketIoClient, AnUnknownNamespaceIsRefusedAndTheConnectionStays) {
  fixture f;
  auto p = f.open();
  p.in("0/nope,");
  ASSERT_EQ(p.count(), 1U);
  const auto e = p.at(0);
  EXPECT_EQ(e.p.type, packet_type::connect_error);
  EXPECT_EQ(e.p.nsp, "/nope");
  EXPECT_EQ(e.json(), R"({"message":"Invalid namespace"})");
  EXPECT_FALSE(p.conn->closed);
  p.in("0");  // "/" still connects
  EXPECT_EQ(p.last().p.type, packet_type::connect);
}

TEST(SocketIoClient, AnotherNamespaceConnectsBesideTheMainOne) {
  fixture f;
  std::vector<socket_ptr> admins;
  f.srv->of("/admin").on_connection([&](const socket_ptr& s) { admins.push_back(s); });
  auto p = f.open();
  p.in("0");
  p.in("0/admin,");
  ASSERT_EQ(p.count(), 2U);
  EXPECT_EQ(p.at(1).p.nsp, "/admin");
  ASSERT_EQ(admins.size(), 1U);
  EXPECT_NE(admins[0]->id(), f.connected.at(0)->id());
}

TEST(SocketIoClient, MiddlewareSeesTheAuthAndAcceptsAsynchronously) {
  fixture f;
  json::object seen;
  next_fn later;
  f.srv->of("/").use([&](const socket_ptr& s, const json::object& auth, next_fn next) {
    seen = auth;
    s->data()["who"] = "checked";
    later = std::move(next);  // answered later, as after an asynchronous lookup
  });
  auto p = f.open();
  p.in(R"(0{"token":"t"})");
  EXPECT_EQ(seen, (json::object{{"token", "t"}}));
  EXPECT_EQ(p.count(), 0U);  // nothing until the middleware answers
  EXPECT_TRUE(f.connected.empty());
  std::thread([&] { later(std::nullopt); }).join();  // from another thread: hops to the strand
  EXPECT_TRUE(f.connected.empty());
  f.poll();
  ASSERT_EQ(f.connected.size(), 1U);
  EXPECT_EQ(f.connected[0]->data().at("who"), "checked");
  EXPECT_EQ(p.at(0).p.type, packet_type::connect);
}

TEST(SocketIoClient, MiddlewareRefusalIsAConnectErrorWithItsData) {
  fixture f;
  int second_ran = 0;
  f.srv->of("/").use([](const socket_ptr&, const json::object&, const next_fn& next) {
    next(json::object{{"message", "no"}, {"data", {{"code", "token_invalid"}}}});
  });
  f.srv->of("/").use([&](const socket_ptr&, const json::object&, const next_fn& next) {
    ++second_ran;
    next(std::nullopt);
  });
  auto p = f.open();
  p.in("0");
  f.poll();
  ASSERT_EQ(p.count(), 1U);
  EXPECT_EQ(p.at(0).p.type, packet_type::connect_error);
  EXPECT_EQ(p.at(0).json(), R"({"message":"no","data":{"code":"token_invalid"}})");
  EXPECT_EQ(second_ran, 0);
  EXPECT_TRUE(f.connected.empty());
  EXPECT_FALSE(p.conn->closed);  // the client may try again
}

TEST(SocketIoClient, AMiddlewareAnswerAfterTheTransportClosedIsIgnored) {
  fixture f;
  next_fn later;
  f.srv->of("/").use(
      [&](const socket_ptr&, const json::object&, next_fn next) { later = std::move(next); });
  auto p = f.open();
  p.in("0");
  p.lose_transport();
  later(std::nullopt);
  f.poll();
  EXPECT_TRUE(f.connected.empty());
  EXPECT_EQ(p.count(), 0U);
}

TEST(SocketIoClient, AClientThatConnectsNoNamespaceInTimeIsClosed) {
  options o = fixture::no_recovery();
  o.connect_timeout = 50ms;
  fixture f(o);
  auto idle = f.open();
  auto quick = f.open();
  quick.in("0");
  f.run_for(150ms);
  EXPECT_TRUE(idle.conn->closed);
  EXPECT_EQ(idle.conn->close_reason, "connect timeout");
  EXPECT_FALSE(quick.conn->closed);
}

TEST(SocketIoClient, EventsReachTheirHandlerWithTheirArguments) {
  fixture f;
  std::vector<std::string> got;
  f.srv->of("/").on("say", [&](const socket_ptr& s, event_args& a, const ack_fn& ack) {
    got.push_back(s->id() + " " + json::serialize(a.args) + (ack ? " ack" : ""));
  });
  auto p = f.open();
  p.in("0");
  p.in(R"(2["say",1,{"a":[true,null]},"x"])");
  p.in(R"(2["other",1])");  // no handler, no on_unknown: ignored
  ASSERT_EQ(got.size(), 1U);
  EXPECT_EQ(got[0], f.connected.at(0)->id() + R"( [1,{"a":[true,null]},"x"])");
  EXPECT_FALSE(p.conn->closed);
}

TEST(SocketIoClient, EventsWithoutAHandlerGoToTheUnknownHandler) {
  fixture f;
  std::vector<std::string> names;
  f.srv->of("/").on(
      "known", [&](const socket_ptr&, event_args&, const ack_fn&) { names.emplace_back("known"); });
  f.srv->of("/").on_unknown([&](const socket_ptr&, event_args& a, const ack_fn&) {
    names.push_back("unknown " + json::serialize(a.args));
  });
  auto p = f.open();
  p.in("0");
  p.in(R"(2["known"])");
  p.in(R"(2["mystery",2])");
  p.in(R"(2[42,"numeric name"])");  // socket.io accepts a number as the name
  EXPECT_EQ(names,
            (std::vector<std::string>{"known", "unknown [2]", R"(unknown ["numeric name"])"}));
}

TEST(SocketIoClient, APacketForANamespaceNotConnectedClosesTheConnection) {
  fixture f;
  auto p = f.open();
  p.in(R"(2["early"])");
  EXPECT_TRUE(p.conn->closed);
  EXPECT_EQ(p.conn->close_reason, "invalid state");
}

TEST(SocketIoClient, MalformedPacketsCloseTheConnection) {
  for (const char* bad : {"9", R"(2["connect"])", "2{}", R"(4{"message":"x"})", "3[1]"}) {
    fixture f;
    auto p = f.open();
    p.in("0");
    p.in(bad);
    EXPECT_TRUE(p.conn->closed) << bad;
    EXPECT_EQ(p.conn->close_reason, "parse error") << bad;
  }
}

TEST(SocketIoClient, AnAckedEventIsAnsweredOnceOnItsNamespace) {
  fixture f;
  ack_fn kept;
  f.srv->of("/chat").on("q", [&](const socket_ptr&, event_args& a, ack_fn ack) {
    event_args r;
    r.args.push_back(json::object{{"echo", a.args.at(0)}});
    ack(r);
    ack(r);  // at most once
    kept = std::move(ack);
  });
  auto p = f.open();
  p.in("0/chat,");
  p.in(R"(2/chat,17["q","hi"])");
  ASSERT_EQ(p.count(), 2U);
  const auto a = p.at(1);
  EXPECT_EQ(a.p.type, packet_type::ack);
  EXPECT_EQ(a.p.nsp, "/chat");
  EXPECT_EQ(a.p.id, 17U);
  EXPECT_EQ(a.json(), R"([{"echo":"hi"}])");
  kept({});  // a late third call, from wherever the app kept it
  EXPECT_EQ(p.count(), 2U);
}

TEST(SocketIoClient, AnAckWithBinaryIsABinaryAckWithItsAttachments) {
  fixture f;
  f.srv->of("/").on("file", [&](const socket_ptr&, event_args&, const ack_fn& ack) {
    event_args r;
    r.args.push_back(json::object{{"_placeholder", true}, {"num", 0}});
    r.bin.push_back(std::make_shared<const std::string>("\x01\x02"));
    ack(r);
  });
  auto p = f.open();
  p.in("0");
  p.in(R"(23["file"])");
  const auto a = p.last();
  EXPECT_EQ(a.p.type, packet_type::binary_ack);
  EXPECT_EQ(a.p.id, 3U);
  EXPECT_EQ(a.bin, (std::vector<std::string>{"\x01\x02"}));
}

TEST(SocketIoClient, AServerAckGetsTheClientsReply) {
  fixture f;
  auto p = f.open();
  p.in("0");
  const auto s = f.connected.at(0);
  std::vector<std::string> replies;
  emit_options o;
  o.ack = [&](std::optional<event_args> r) {
    replies.push_back(r ? json::serialize(r->args) : "none");
  };
  event_args a;
  a.args.emplace_back("question");
  EXPECT_TRUE(s->emit("ask", a, o));
  const auto q = p.last();
  EXPECT_EQ(q.p.type, packet_type::event);
  ASSERT_TRUE(q.p.id);
  EXPECT_EQ(q.json(), R"(["ask","question"])");
  p.in("3" + std::to_string(*q.p.id) + R"(["yes",2])");
  p.in("3" + std::to_string(*q.p.id) + R"(["again"])");  // a duplicate: ignored
  p.in(R"(3999["forged"])");                             // nobody asked: ignored
  EXPECT_EQ(replies, (std::vector<std::string>{R"(["yes",2])"}));
  EXPECT_FALSE(p.conn->closed);
}

TEST(SocketIoClient, AServerAckTimesOutOrFailsWithTheTransport) {
  fixture f;
  auto p = f.open();
  p.in("0");
  const auto s = f.connected.at(0);
  std::vector<std::string> replies;
  const auto ask = [&](millis timeout) {
    emit_options o;
    o.ack_timeout = timeout;
    o.ack = [&](std::optional<event_args> r) { replies.emplace_back(r ? "reply" : "none"); };
    s->emit("ask", {}, o);
  };
  ask(30ms);
  f.run_for(100ms);
  EXPECT_EQ(replies, (std::vector<std::string>{"none"}));
  ask(10s);
  const auto late = p.last();
  p.lose_transport();  // pending acks fail with the transport
  EXPECT_EQ(replies, (std::vector<std::string>{"none", "none"}));
  ask(10s);  // no transport: answered at once
  EXPECT_EQ(replies.size(), 3U);
  EXPECT_EQ(late.p.type, packet_type::event);
}

TEST(SocketIoClient, ABinaryEventIsReassembledFromItsAttachments) {
  fixture f;
  std::vector<event_args> got;
  f.srv->of("/").on(
      "up", [&](const socket_ptr&, event_args& a, const ack_fn&) { got.push_back(std::move(a)); });
  auto p = f.open();
  p.in("0");
  p.in(R"(52-["up",{"_placeholder":true,"num":1},{"n":{"_placeholder":true,"num":0}}])");
  p.in_binary("first");
  EXPECT_TRUE(got.empty());  // one of two
  p.in_binary(std::string("sec\0nd", 6));
  ASSERT_EQ(got.size(), 1U);
  // Placeholders stay in the arguments and refer to the attachments by index.
  EXPECT_EQ(json::serialize(got[0].args),
            R"([{"_placeholder":true,"num":1},{"n":{"_placeholder":true,"num":0}}])");
  ASSERT_EQ(got[0].bin.size(), 2U);
  EXPECT_EQ(*got[0].bin[0], "first");
  EXPECT_EQ(*got[0].bin[1], std::string("sec\0nd", 6));
  p.in(R"(2["up"])");  // text again: the binary packet is complete
  EXPECT_EQ(got.size(), 2U);
  EXPECT_FALSE(p.conn->closed);
}

TEST(SocketIoClient, BinaryPacketsAreBoundedInCountBytesAndTime) {
  options o = fixture::no_recovery();
  o.max_attachments = 2;
  o.max_attachment_bytes = 10;
  o.attachment_timeout = 50ms;
  const std::string one = R"(51-["up",{"_placeholder":true,"num":0}])";
  const auto closed_by = [&](const std::function<void(fixture&, const peer&)>& act) {
    fixture f(o);
    auto p = f.open();
    p.in("0");
    act(f, p);
    return p.conn->closed ? p.conn->close_reason : "open";
  };
  // More attachments announced than allowed.
  EXPECT_EQ(closed_by([](fixture&, const peer& p) {
              p.in(R"(53-["up",{"_placeholder":true,"num":0}])");
            }),
            "parse error");
  // A placeholder beyond the announced count.
  EXPECT_EQ(closed_by([](fixture&, const peer& p) {
              p.in(R"(51-["up",{"_placeholder":true,"num":1}])");
            }),
            "parse error");
  // More bytes than allowed.
  EXPECT_EQ(closed_by([&](fixture&, const peer& p) {
              p.in(one);
              p.in_binary(std::string(11, 'x'));
            }),
            "parse error");
  // Text while an attachment is awaited.
  EXPECT_EQ(closed_by([&](fixture&, const peer& p) {
              p.in(one);
              p.in(R"(2["x"])");
            }),
            "parse error");
  // An attachment nobody announced.
  EXPECT_EQ(closed_by([](fixture&, const peer& p) { p.in_binary("x"); }), "parse error");
  // Announced attachments that never come.
  EXPECT_EQ(closed_by([&](fixture& f, const peer& p) {
              p.in(one);
              f.run_for(150ms);
            }),
            "parse error");
  // Within every bound: still open after the timeout has passed.
  EXPECT_EQ(closed_by([&](fixture& f, const peer& p) {
              p.in(one);
              p.in_binary(std::string(10, 'x'));
              f.run_for(150ms);
            }),
            "open");
}

TEST(SocketIoClient, AClientDisconnectEndsTheSocketForGood) {
  options o;
  o.recovery_window = 10s;
  fixture f(o);
  auto p = f.open();
  p.in("0");
  const auto s = f.connected.at(0);
  s->join("room");
  p.in("1");
  ASSERT_EQ(f.disconnected.size(), 1U);
  EXPECT_EQ(f.disconnected[0], std::make_pair(s->id(), std::string("client namespace disconnect")));
  EXPECT_FALSE(s->connected());
  EXPECT_FALSE(s->recoverable());
  EXPECT_TRUE(s->rooms().empty());
  EXPECT_FALSE(p.conn->closed);  // the connection stays; the namespace can connect again
  p.lose_transport();
  EXPECT_EQ(f.srv->recoverable_count(), 0U);
  EXPECT_EQ(f.disconnected.size(), 1U);
  p.in("1");  // closed: ignored
}

TEST(SocketIoClient, ADisconnectForANamespaceNotConnectedClosesTheConnection) {
  fixture f;
  auto p = f.open();
  p.in("0");
  p.in("1/other,");
  EXPECT_TRUE(p.conn->closed);
  EXPECT_EQ(p.conn->close_reason, "invalid state");
}

TEST(SocketIoClient, AServerDisconnectSendsDisconnectAndEndsTheSocket) {
  fixture f;
  auto p = f.open();
  p.in("0");
  const auto s = f.connected.at(0);
  s->disconnect();
  EXPECT_EQ(p.last().p.type, packet_type::disconnect);
  f.poll();  // the client drops it on its strand
  ASSERT_EQ(f.disconnected.size(), 1U);
  EXPECT_EQ(f.disconnected[0].second, "server namespace disconnect");
  EXPECT_FALSE(s->emit("late", {}));
}

TEST(SocketIoClient, AConnectTooLargeIsRefusedUnparsed) {
  options o = fixture::no_recovery();
  o.max_connect_bytes = 64;
  fixture f(o);
  f.srv->of("/big");
  int middleware_ran = 0;
  f.srv->of("/").use([&](const socket_ptr&, const json::object&, const next_fn& next) {
    ++middleware_ran;
    next(std::nullopt);
  });
  const std::string pad(100, 'a');
  auto p = f.open();
  p.in(R"(0{"token":")" + pad + R"("})");
  p.in(R"(0/big,{"token":")" + pad + R"("})");
  ASSERT_EQ(p.count(), 2U);
  EXPECT_EQ(p.at(0).p.type, packet_type::connect_error);
  EXPECT_EQ(
      p.at(0).json(),
      R"({"message":"CONNECT payload too large","data":{"code":"payload_too_large","maxBytes":64}})");
  EXPECT_EQ(p.at(1).p.nsp, "/big");
  EXPECT_EQ(middleware_ran, 0);
  EXPECT_FALSE(p.conn->closed);
  // A namespace that does not exist is not named back: the connection closes instead.
  p.in(R"(0/unknown,{"token":")" + pad + R"("})");
  EXPECT_TRUE(p.conn->closed);
  EXPECT_EQ(p.conn->close_reason, "parse error");
}

TEST(SocketIoClient, BroadcastsAreEncodedOnceForEveryRecipient) {
  fixture f;
  auto a = f.open();
  auto b = f.open();
  auto c = f.open();
  a.in("0");
  b.in("0");
  c.in("0");
  f.connected.at(0)->join("r");
  f.connected.at(1)->join("r");
  event_args args;
  args.args.emplace_back(1);
  broadcast_options to;
  to.rooms = {"r"};
  EXPECT_EQ(f.srv->of("/").emit(to, "news", args), 2U);
  ASSERT_EQ(a.count(), 2U);
  ASSERT_EQ(b.count(), 2U);
  EXPECT_EQ(c.count(), 1U);
  EXPECT_EQ(a.conn->sent[1].text, b.conn->sent[1].text);  // one shared string
  EXPECT_EQ(a.at(1).json(), R"(["news",1])");
}

}  // namespace
}  // namespace hw::socketio::test

// The memory a Socket.IO socket holds, over in-memory connections (a fake WebSocket): its replay
// buffer is bounded by age while connected and freed when it leaves recovery in any way, even
// while someone else (the app) still holds the socket object; the gauges follow.

#include <gtest/gtest.h>

#include <boost/asio/io_context.hpp>
#include <boost/asio/strand.hpp>
#include <thread>

#include "socketio/client.hpp"
#include "socketio/server.hpp"
#include "socketio/socket.hpp"

namespace hw::socketio {
namespace {

using namespace std::chrono_literals;

/// A WebSocket that accepts everything and records nothing.
class fake_ws final : public net::ws_connection {
 public:
  net::send_result send(std::shared_ptr<const std::string> /*payload*/, bool /*binary*/,
                        bool /*droppable*/) override {
    return net::send_result::queued;
  }
  void close(std::uint16_t /*code*/, std::string_view /*reason*/) override {}
  [[nodiscard]] std::size_t queued_bytes() const override { return 0; }
  net::input_hold hold_input() override { return std::make_shared<int>(0); }
};

/// One server with namespace "/" whose connection handler keeps every socket (as the gateway
/// keeps its guests' sockets), and helpers that drive Engine.IO sessions by hand.
struct fixture {
  explicit fixture(millis window, std::size_t total_bytes = 64UL << 20U) {
    options o;
    o.recovery_window = window;
    o.recovery_total_bytes = total_bytes;
    srv = std::make_unique<server>(ioc, engineio::options{}, o, &metrics);
    srv->of("/").on_connection([this](const socket_ptr& s) { kept.push_back(s); });
  }
  ~fixture() {
    kept.clear();
    for (auto& s : sessions)
      s->abandon();
  }
  fixture(const fixture&) = delete;
  fixture& operator=(const fixture&) = delete;

  /// A connected client; `connect` is the Socket.IO CONNECT packet (e.g. with a pid).
  std::shared_ptr<engineio::session> open(const std::string& connect = "0") {
    auto s = std::make_shared<engineio::session>(boost::asio::make_strand(ioc), "sid",
                                                 srv->engine().opts(), [](const std::string&) {});
    auto c = std::make_shared<client>(*srv, over_session(s));
    c->start();
    s->start_websocket(std::make_shared<fake_ws>(), c);
    s->on_ws_message("4" + connect, false);
    sessions.push_back(s);
    return s;
  }
  void emit(const socket_ptr& s, int n) {
    event_args a;
    a.args.emplace_back(std::string(100, 'x'));
    for (int i = 0; i < n; ++i)
      s->emit("m", a);
  }
  void run_for(std::chrono::milliseconds d) {
    ioc.restart();
    ioc.run_for(d);
  }
  std::int64_t gauge(std::string_view name) { return metrics.get_gauge(name, "").value(); }

  core::registry metrics;  // first: outlives the sockets freed with the io_context's handlers
  boost::asio::io_context ioc;
  std::unique_ptr<server> srv;
  std::vector<socket_ptr> kept;
  std::vector<std::shared_ptr<engineio::session>> sessions;
};

constexpr std::size_t fixed_estimate = 1024;  // socket::recovery_bytes() of an empty buffer

TEST(SocketMemory, AnExpiredRecoverySocketKeptByTheAppHoldsNoBuffer) {
  fixture f(100ms);
  auto conn = f.open();
  ASSERT_EQ(f.kept.size(), 1U);
  auto s = f.kept[0];
  f.emit(s, 50);
  EXPECT_EQ(s->buffered_packets(), 50U);
  EXPECT_GT(f.gauge("hallway_socketio_live_buffer_bytes"), 50 * 100);
  conn->on_ws_closed();  // transport lost: kept for recovery
  EXPECT_EQ(f.srv->recoverable_count(), 1U);
  EXPECT_EQ(f.gauge("hallway_socketio_live_buffer_bytes"), 0);
  EXPECT_GT(f.gauge("hallway_socketio_recovery_bytes"), 50 * 100);
  f.emit(s, 10);  // still buffered while away
  EXPECT_EQ(s->buffered_packets(), 60U);

  f.run_for(300ms);  // the window passes
  EXPECT_EQ(f.srv->recoverable_count(), 0U);
  EXPECT_EQ(f.gauge("hallway_socketio_recovery_bytes"), 0);
  EXPECT_EQ(s->buffered_packets(), 0U);  // freed, though the app still holds the socket
  EXPECT_EQ(s->recovery_bytes(), fixed_estimate);
  EXPECT_FALSE(s->recoverable());
  f.emit(s, 10);  // late emits by the app are not buffered any more
  EXPECT_EQ(s->buffered_packets(), 0U);
  EXPECT_EQ(f.gauge("hallway_socketio_sockets"), 1);
  // Nothing but the app holds it any more (not the recovery map, its timer or the connection):
  // the object itself goes with the app's references.
  const std::weak_ptr<socket> w = s;
  f.kept.clear();
  s.reset();
  EXPECT_TRUE(w.expired());
  EXPECT_EQ(f.gauge("hallway_socketio_sockets"), 0);
}

TEST(SocketMemory, AConnectedSocketKeepsOnlyTheLastWindowOfPackets) {
  fixture f(200ms);
  auto conn = f.open();
  const auto s = f.kept.at(0);
  f.emit(s, 100);
  EXPECT_EQ(s->buffered_packets(), 100U);
  const auto full = f.gauge("hallway_socketio_live_buffer_bytes");
  std::this_thread::sleep_for(250ms);  // the packets age past the window
  f.emit(s, 3);
  EXPECT_EQ(s->buffered_packets(), 3U);
  EXPECT_LT(f.gauge("hallway_socketio_live_buffer_bytes"), full / 20);
  EXPECT_EQ(
      f.gauge("hallway_socketio_live_buffer_bytes") + static_cast<std::int64_t>(fixed_estimate),
      static_cast<std::int64_t>(s->recovery_bytes()));
  conn->on_ws_message("41", false);  // client namespace disconnect
  EXPECT_EQ(f.gauge("hallway_socketio_live_buffer_bytes"), 0);
}

TEST(SocketMemory, ASocketThatDetachesKeepsNoPacketOlderThanTheWindow) {
  fixture f(200ms);
  auto conn = f.open();
  const auto s = f.kept.at(0);
  f.emit(s, 20);
  std::this_thread::sleep_for(250ms);  // no emit since: trimmed on detach, not on deliver
  conn->on_ws_closed();
  EXPECT_EQ(s->buffered_packets(), 0U);
  EXPECT_EQ(f.gauge("hallway_socketio_recovery_bytes"), static_cast<std::int64_t>(fixed_estimate));
}

TEST(SocketMemory, ASocketDroppedByItsClientReleasesItsBuffer) {
  fixture f(10s);
  auto conn = f.open();
  const auto s = f.kept.at(0);
  f.emit(s, 20);
  conn->on_ws_message("41", false);
  EXPECT_EQ(s->buffered_packets(), 0U);
  EXPECT_FALSE(s->recoverable());
  EXPECT_EQ(f.gauge("hallway_socketio_live_buffer_bytes"), 0);
  conn->on_ws_closed();
  EXPECT_EQ(f.srv->recoverable_count(), 0U);
}

TEST(SocketMemory, ARecoverySocketDisconnectedByTheServerReleasesItsBufferAtOnce) {
  fixture f(10s);
  auto conn = f.open();
  const auto s = f.kept.at(0);
  f.emit(s, 20);
  conn->on_ws_closed();
  ASSERT_EQ(f.srv->recoverable_count(), 1U);
  s->disconnect();  // e.g. the guest connected again from a reloaded page
  EXPECT_EQ(f.srv->recoverable_count(), 0U);
  EXPECT_EQ(f.gauge("hallway_socketio_recovery_bytes"), 0);
  EXPECT_EQ(s->buffered_packets(), 0U);
}

TEST(SocketMemory, ARecoverySocketEvictedByTheGlobalBudgetReleasesItsBuffer) {
  fixture f(10s, 3 * fixed_estimate);
  auto a = f.open();
  auto b = f.open();
  const auto first = f.kept.at(0);
  const auto second = f.kept.at(1);
  f.emit(first, 10);
  f.emit(second, 10);
  a->on_ws_closed();
  b->on_ws_closed();  // two sockets of ~2 KB each exceed 3 KB: the oldest goes
  EXPECT_EQ(f.srv->recoverable_count(), 1U);
  EXPECT_EQ(first->buffered_packets(), 0U);
  EXPECT_FALSE(first->recoverable());
  EXPECT_EQ(second->buffered_packets(), 10U);
}

TEST(SocketMemory, ASocketWhoseRecoveryFailsReleasesItsBuffer) {
  fixture f(10s);
  auto conn = f.open();
  const auto s = f.kept.at(0);
  conn->on_ws_closed();
  // More than the per-socket bound arrives while away: the oldest are evicted, so a client
  // that saw nothing (offset 1) cannot be brought up to date.
  f.emit(s, static_cast<int>(f.srv->opts().recovery_packets) + 10);
  f.open(R"(0{"pid":")" + s->pid() + R"(","offset":"1"})");
  EXPECT_EQ(f.srv->recoverable_count(), 0U);
  EXPECT_EQ(s->buffered_packets(), 0U);
  EXPECT_EQ(f.gauge("hallway_socketio_live_buffer_bytes"), 0);
  EXPECT_EQ(f.gauge("hallway_socketio_recovery_bytes"), 0);
}

TEST(SocketMemory, ARecoveredSocketCountsItsBufferAsLiveAgain) {
  fixture f(10s);
  auto conn = f.open();
  const auto s = f.kept.at(0);
  f.emit(s, 5);
  conn->on_ws_closed();
  f.emit(s, 5);
  const auto away = f.gauge("hallway_socketio_recovery_bytes");
  f.open(R"(0{"pid":")" + s->pid() + R"(","offset":"1"})");
  EXPECT_TRUE(s->connected());
  EXPECT_EQ(f.gauge("hallway_socketio_recovery_bytes"), 0);
  EXPECT_EQ(f.gauge("hallway_socketio_live_buffer_bytes"),
            away - static_cast<std::int64_t>(fixed_estimate));
}

}  // namespace
}  // namespace hw::socketio

#pragma once
// Test harness for the Socket.IO layer over in-memory input: a socketio::server (no network; its
// Engine.IO server is only a session table nobody fills), and clients on fake connections that
// record every Engine.IO message sent to them. Tests feed encoded Socket.IO packets to a client
// as Engine.IO would, and read back what it sent, decoded. Timers run on the test's io_context.

#include <gtest/gtest.h>

#include <boost/asio/io_context.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/strand.hpp>
#include <boost/json/serialize.hpp>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "protocol/engineio.hpp"
#include "protocol/socketio.hpp"
#include "socketio/client.hpp"
#include "socketio/connection.hpp"
#include "socketio/server.hpp"
#include "socketio/socket.hpp"

namespace hw::socketio::test {

/// An Engine.IO connection that records what is sent. close() records the reason and, as a
/// session does, tells the listener on its strand (once).
class fake_connection final : public connection {
 public:
  explicit fake_connection(boost::asio::io_context& ioc) : strand_(boost::asio::make_strand(ioc)) {}
  [[nodiscard]] boost::asio::any_io_executor executor() const override { return strand_; }
  net::send_result send(engineio::outgoing msg) override {
    if (closed) return net::send_result::closed;
    sent.push_back(std::move(msg));
    if (on_send) on_send();
    return net::send_result::queued;
  }
  void close(std::string reason) override {
    if (closed) return;
    closed = true;
    close_reason = std::move(reason);
    boost::asio::post(strand_, [w = listener, r = close_reason] {
      if (auto l = w.lock()) l->on_close(r);
    });
  }
  engineio::input_hold hold_input() override { return std::make_shared<int>(0); }

  std::vector<engineio::outgoing> sent;
  bool closed = false;
  std::string close_reason;
  std::weak_ptr<engineio::listener> listener;
  /// Runs after each recorded send (to interleave other work with the sender's).
  std::function<void()> on_send;

 private:
  boost::asio::any_io_executor strand_;
};

/// One outgoing Engine.IO message decoded back: its Socket.IO packet and attachments.
struct sent_packet {
  protocol::sio::packet p;
  std::vector<std::string> bin;
  [[nodiscard]] std::string json() const { return boost::json::serialize(p.data); }
  /// A string member of an object payload (CONNECT's "sid" and "pid"); empty when absent.
  [[nodiscard]] std::string field(std::string_view key) const {
    const auto* o = p.data.if_object();
    const auto* v = o != nullptr ? o->if_contains(key) : nullptr;
    return v != nullptr && v->is_string() ? std::string(v->as_string()) : std::string();
  }
  /// An EVENT's name (its first argument).
  [[nodiscard]] std::string event() const {
    return std::string(p.data.as_array().at(0).as_string());
  }
};

inline sent_packet decode_sent(const engineio::outgoing& m) {
  protocol::eio::packet_view ev;
  EXPECT_EQ(protocol::eio::decode_text(*m.text, ev), protocol::eio::decode_error::none);
  EXPECT_EQ(ev.type, protocol::eio::packet_type::message) << *m.text;
  sent_packet out;
  protocol::sio::decode_limits lim;
  lim.max_attachments = 1000;
  EXPECT_EQ(protocol::sio::decode(ev.data, out.p, lim), protocol::sio::decode_error::none)
      << *m.text;
  EXPECT_EQ(out.p.attachments, m.binaries.size()) << *m.text;
  for (const auto& b : m.binaries)
    out.bin.emplace_back(*b);
  return out;
}

/// One client on a fake connection.
struct peer {
  std::shared_ptr<fake_connection> conn;
  std::shared_ptr<client> c;

  /// Feeds one Socket.IO packet (an Engine.IO text message's data).
  void in(std::string_view text) const { c->on_message(text, false); }
  /// Feeds one binary attachment.
  void in_binary(std::string_view data) const { c->on_message(data, true); }
  /// The transport is gone (as a session ends: the listener hears it once).
  void lose_transport() const {
    conn->closed = true;
    c->on_close("transport close");
  }
  [[nodiscard]] std::size_t count() const { return conn->sent.size(); }
  [[nodiscard]] sent_packet at(std::size_t i) const { return decode_sent(conn->sent.at(i)); }
  [[nodiscard]] sent_packet last() const { return at(count() - 1); }
  /// Every packet sent, decoded, from index `from` on.
  [[nodiscard]] std::vector<sent_packet> all(std::size_t from = 0) const {
    std::vector<sent_packet> v;
    for (std::size_t i = from; i < count(); ++i)
      v.push_back(at(i));
    return v;
  }
};

/// A server with options `o` whose namespace "/" records its connections and disconnects; other
/// namespaces are set up by the test before it opens peers.
struct harness {
  explicit harness(options o = {}, engineio::options eio = {}) {
    srv = std::make_unique<server>(ioc, std::move(eio), o);
    auto& root = srv->of("/");
    root.on_connection([this](const socket_ptr& s) { connected.push_back(s); });
    root.on_disconnect([this](const socket_ptr& s, std::string_view reason) {
      disconnected.emplace_back(s->id(), std::string(reason));
    });
  }
  ~harness() {
    // Sockets hold timers of the io_context: every client and socket goes before it.
    for (auto& p : peers) {
      p.conn->listener.reset();
      if (!p.conn->closed) p.c->on_close("test over");
    }
    peers.clear();
    ioc.restart();
    ioc.poll();
  }
  harness(const harness&) = delete;
  harness& operator=(const harness&) = delete;

  /// A client whose connect timer is armed (as when the Engine.IO handshake completes).
  peer open() {
    peer p;
    p.conn = std::make_shared<fake_connection>(ioc);
    p.c = std::make_shared<client>(*srv, p.conn);
    p.conn->listener = p.c;
    p.c->start();
    peers.push_back(p);
    return p;
  }
  /// Runs the handlers that are ready (posted middleware answers, closes).
  void poll() {
    ioc.restart();
    ioc.poll();
  }
  void run_for(std::chrono::milliseconds d) {
    ioc.restart();
    ioc.run_for(d);
  }

  boost::asio::io_context ioc;
  std::unique_ptr<server> srv;
  std::vector<peer> peers;
  std::vector<socket_ptr> connected;                              ///< on "/", in order
  std::vector<std::pair<std::string, std::string>> disconnected;  ///< {socket id, reason}
};

}  // namespace hw::socketio::test

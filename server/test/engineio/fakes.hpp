#pragma once
// In-memory doubles for the Engine.IO session unit tests: a transport the test drives as the
// client would (packets in, frames out, no sockets), a listener that records what reaches the
// layer above, and a harness running one session on a manually run io_context.

#include <boost/asio/io_context.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/strand.hpp>
#include <chrono>
#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "engineio/session.hpp"

namespace hw::engineio::fakes {

using namespace std::chrono_literals;

/// A transport whose client is the test. By default it behaves like a WebSocket (own queue,
/// always writable); `own_queue = false` makes it a request-held transport like polling.
class fake_transport final : public transport {
 public:
  explicit fake_transport(bool own_queue = true) : own_queue_(own_queue), writable_(own_queue) {}

  [[nodiscard]] std::string_view name() const override { return "fake"; }
  [[nodiscard]] bool can_upgrade() const override { return false; }
  [[nodiscard]] bool own_queue() const override { return own_queue_; }
  [[nodiscard]] bool writable() const override { return writable_; }

  void send(std::vector<frame> frames) override {
    for (auto& f : frames)
      sent.push_back(f.binary ? "bin:" + *f.data : *f.data);
    if (!own_queue_) writable_ = false;  // one batch per "request"
  }
  net::send_result send_now(outgoing msg) override {
    if (now_result != net::send_result::queued) return now_result;
    if (msg.text) sent.push_back(*msg.text);
    for (const auto& b : msg.binaries)
      sent.push_back("bin:" + *b);
    return net::send_result::queued;
  }
  void close(std::vector<frame> last) override {
    for (auto& f : last)
      sent.push_back(*f.data);
    close_code = 1000;
  }
  void close_with(std::uint16_t code, std::string_view text) override {
    close_code = code;
    close_text = std::string(text);
  }
  input_hold hold_input() override { return std::make_shared<int>(0); }
  void abandon() override {}

  // The client's side.
  /// A text packet as the client would send it ("3", "2probe", "5", "1", "4hello").
  void deliver(std::string_view text) {
    auto o = owner();
    if (!o) return;
    protocol::eio::packet_view p;
    if (protocol::eio::decode_text(text, p) != protocol::eio::decode_error::none) {
      return o->on_transport_close(*this, close_reason::parse_error);
    }
    o->on_packet(*this, p);
  }
  void deliver_binary(std::string_view data) {
    if (auto o = owner()) o->on_packet(*this, protocol::eio::decode_binary(data));
  }
  /// The connection went away.
  void drop() {
    if (auto o = owner()) o->on_transport_close(*this, close_reason::transport_close);
  }
  /// A request-held transport got its request: writable until the next send().
  void drain() {
    writable_ = true;
    if (auto o = owner()) o->on_drain(*this);
  }
  [[nodiscard]] bool has_owner() const { return static_cast<bool>(owner()); }
  [[nodiscard]] std::size_t count(std::string_view frame) const {
    std::size_t n = 0;
    for (const auto& s : sent)
      n += s == frame ? 1 : 0;
    return n;
  }

  std::vector<std::string> sent;
  std::uint16_t close_code = 0;  ///< 0 while open
  std::string close_text;
  net::send_result now_result = net::send_result::queued;

 private:
  bool own_queue_;
  bool writable_;
};

/// The layer above, recording what it is told.
class recording_listener final : public listener {
 public:
  void on_message(std::string_view data, bool binary) override {
    messages.push_back(binary ? "bin:" + std::string(data) : std::string(data));
  }
  void on_close(std::string_view reason) override { closes.emplace_back(reason); }

  std::vector<std::string> messages;
  std::vector<std::string> closes;
};

/// An answer to a poll or POST, filled in when the session responds.
struct reply {
  bool done = false;
  http::response r;
  [[nodiscard]] std::string body() const { return std::string(r.body_view()); }
};

/// One session on an io_context the test runs by hand (single-threaded: the test thread is the
/// strand whenever it runs the context).
struct harness {
  static options defaults() {
    options o;
    o.ping_interval = 10s;  // tests about the heartbeat shorten it
    o.ping_timeout = 10s;
    return o;
  }
  explicit harness(options o = defaults()) : opts(std::move(o)) {
    s = std::make_shared<session>(
        boost::asio::make_strand(ioc), "sid", opts, [this](const std::string& id) { gone = id; },
        [this](close_reason r) { reasons.push_back(r); });
  }
  ~harness() {
    if (s) s->abandon();
  }
  harness(const harness&) = delete;
  harness& operator=(const harness&) = delete;

  /// Runs `f` on the session's strand, then everything that is ready.
  void on_strand(std::function<void()> f) {
    boost::asio::post(s->executor(), std::move(f));
    drain();
  }
  void drain() {
    ioc.restart();
    ioc.poll();
  }
  void run_for(std::chrono::milliseconds d) {
    ioc.restart();
    ioc.run_for(d);
  }
  /// Runs the context until `pred` holds (true) or `limit` passed (false).
  bool run_until(const std::function<bool()>& pred, std::chrono::milliseconds limit = 5s) {
    const auto deadline = std::chrono::steady_clock::now() + limit;
    while (!pred() && std::chrono::steady_clock::now() < deadline)
      run_for(5ms);
    return pred();
  }

  /// Opens the session on a fake WebSocket-like transport.
  std::shared_ptr<fake_transport> start_ws() {
    auto t = std::make_shared<fake_transport>();
    on_strand([&] { s->start(t, l); });
    return t;
  }
  /// Opens the session on polling and answers its handshake GET (the open packet).
  std::shared_ptr<reply> start_polling() {
    on_strand([&] { s->start_polling(l); });
    return get();
  }
  std::shared_ptr<reply> get() {
    auto out = std::make_shared<reply>();
    on_strand([&] {
      s->on_poll(
          [out](http::response r) {
            out->done = true;
            out->r = std::move(r);
          },
          base());
    });
    return out;
  }
  std::shared_ptr<reply> post(std::string body) {
    auto out = std::make_shared<reply>();
    on_strand([&] {
      s->on_post(
          body,
          [out](http::response r) {
            out->done = true;
            out->r = std::move(r);
          },
          base());
    });
    return out;
  }
  static http::response base() {
    http::response b;
    b.headers.set("cache-control", "no-store");
    return b;
  }
  /// Sends one Engine.IO message ("4" + text) from the layer above.
  net::send_result send(const std::string& text, bool is_volatile = false) {
    outgoing m;
    m.text = std::make_shared<const std::string>("4" + text);
    m.is_volatile = is_volatile;
    return s->send(std::move(m));
  }

  boost::asio::io_context ioc;
  options opts;
  std::shared_ptr<session> s;
  std::shared_ptr<recording_listener> l = std::make_shared<recording_listener>();
  std::string gone;
  std::vector<close_reason> reasons;
};

}  // namespace hw::engineio::fakes

#include "engineio/session.hpp"

#include <algorithm>
#include <boost/asio/dispatch.hpp>
#include <boost/asio/post.hpp>

#include "protocol/engineio.hpp"

namespace hw::engineio {

namespace asio = boost::asio;
namespace eio = protocol::eio;

namespace {
// A poll held while an upgrade is probed is answered with a noop this soon (the reference
// server's "fast upgrade" check interval).
constexpr millis upgrade_noop_delay{100};
// How long a client's close packet waits for a poll that raced it on another connection. Long
// enough for any loaded machine; it delays only the end of a session whose client closed with no
// poll waiting (a closing client normally has one waiting, and that one ends it at once).
constexpr auto close_poll_wait = std::chrono::seconds(1);

http::response bad_request() {
  return http::make_text(400, "application/json", R"({"code":3,"message":"Bad request"})");
}

http::response text_response(http::response base, std::string body) {
  base.status = 200;
  base.headers.set("content-type", "text/plain; charset=UTF-8");
  base.body = std::move(body);
  return base;
}
}  // namespace

session::session(asio::any_io_executor strand, std::string id, const options& opts,
                 std::function<void(const std::string&)> on_gone)
    : strand_(std::move(strand)),
      id_(std::move(id)),
      opts_(opts),
      on_gone_(std::move(on_gone)),
      heartbeat_(strand_),
      probe_timer_(strand_),
      noop_timer_(strand_) {}

session::~session() = default;

std::string session::open_packet(bool can_upgrade) const {
  std::string out = "0{\"sid\":\"";
  out += id_;
  out += can_upgrade ? R"(","upgrades":["websocket"],)" : R"(","upgrades":[],)";
  out += "\"pingInterval\":" + std::to_string(opts_.ping_interval.count());
  out += ",\"pingTimeout\":" + std::to_string(opts_.ping_timeout.count());
  out += ",\"maxPayload\":" + std::to_string(opts_.max_payload) + "}";
  return out;
}

void session::watch_start() {
  if (started_ || closed_) return;
  heartbeat_.expires_after(opts_.ping_timeout);
  heartbeat_.async_wait([w = weak_from_this()](boost::system::error_code ec) {
    auto self = w.lock();
    if (!ec && self && !self->started_) self->end("transport never started");
  });
}

void session::start_polling(std::shared_ptr<listener> l) {
  started_ = true;
  listener_ = std::move(l);
  transport_ = transport::polling;
  schedule_ping();
}

void session::start_websocket(std::shared_ptr<net::ws_connection> ws, std::shared_ptr<listener> l) {
  started_ = true;
  listener_ = std::move(l);
  transport_ = transport::websocket;
  ws_claimed_.store(true);
  ws_ = std::move(ws);
  ws_view_.store(ws_.get(), std::memory_order_release);
  ws_->send(std::make_shared<const std::string>(open_packet(false)), false, false);
  schedule_ping();
}

net::send_result session::send(outgoing msg) {
  if (closing_.load(std::memory_order_acquire)) return net::send_result::closed;
  // On WebSocket the connection's own queue is thread-safe: no hop through the session strand,
  // and a volatile message's fate (queued or dropped) is known here.
  if (auto* ws = ws_view_.load(std::memory_order_acquire); ws != nullptr) {
    if (msg.text) {
      const auto r = ws->send(msg.text, false, msg.is_volatile);
      if (r != net::send_result::queued) return r;
    }
    for (auto& b : msg.binaries)
      ws->send(std::move(b), true, false);
    return net::send_result::queued;
  }
  if (msg.is_volatile && outbox_bytes_.load() > opts_.send_queue_bytes / 4) {
    return net::send_result::dropped;  // congested polling outbox
  }
  asio::dispatch(strand_, [self = shared_from_this(), m = std::move(msg)] { self->enqueue(m); });
  return net::send_result::queued;
}

void session::enqueue(const outgoing& msg) {
  if (closed_) return;
  if (transport_ == transport::websocket && ws_) {
    if (msg.text) ws_->send(msg.text, false, msg.is_volatile);
    for (const auto& b : msg.binaries)
      ws_->send(b, true, msg.is_volatile);
    return;
  }
  // Polling (also while an upgrade is being probed): append to the outbox.
  if (msg.text) {
    const std::string_view text(*msg.text);
    eio::encode_payload_append(outbox_, eio::packet_type::message, text.substr(1), false);
    ++outbox_packets_;
  }
  for (const auto& b : msg.binaries) {
    eio::encode_payload_append(outbox_, eio::packet_type::message, *b, true);
    ++outbox_packets_;
  }
  outbox_bytes_.store(outbox_.size());
  if (outbox_.size() > 4 * opts_.send_queue_bytes) {
    // A polling client that stopped polling: its outbox must not grow without bound.
    return end("slow consumer");
  }
  flush_poll();
}

void session::enqueue_packet(char type, std::string_view data) {
  if (closed_) return;
  if (transport_ == transport::websocket && ws_) {
    std::string s(1, type);
    s.append(data);
    ws_->send(std::make_shared<const std::string>(std::move(s)), false, false);
    return;
  }
  eio::encode_payload_append(outbox_, static_cast<eio::packet_type>(type - '0'), data, false);
  ++outbox_packets_;
  outbox_bytes_.store(outbox_.size());
  flush_poll();
}

std::string session::take_outbox_and_close() {
  // What was queued before the session ended still leaves, the close packet after it.
  std::string body;
  body.swap(outbox_);
  outbox_packets_ = 0;
  outbox_bytes_.store(0);
  eio::encode_payload_append(body, eio::packet_type::close, {}, false);
  return body;
}

void session::flush_poll() {
  if (!pending_get_ || outbox_.empty()) return;
  auto respond = std::move(pending_get_);
  pending_get_ = nullptr;
  std::string body;
  body.swap(outbox_);
  outbox_packets_ = 0;
  outbox_bytes_.store(0);
  respond(text_response(std::move(pending_base_), std::move(body)));
}

void session::on_poll(http::respond_fn respond, http::response base) {
  if (close_requested_) {  // the poll that raced the client's close packet: its noop, then gone
    noop_timer_.cancel();
    respond(text_response(std::move(base), "6"));
    release_sid();
    return;
  }
  if (!closed_ && pong_overdue()) time_out();
  if (closed_) {
    // A client that missed its pong is gone, as for a request that no longer finds the sid in
    // the table; any other close hands over what was queued before it, then the close packet.
    if (timed_out_) {
      respond(
          http::make_text(400, "application/json", R"({"code":1,"message":"Session ID unknown"})"));
    } else {
      respond(text_response(std::move(base), take_outbox_and_close()));
    }
    return;
  }
  if (transport_ != transport::polling) {
    respond(bad_request());
    return;
  }
  if (pending_get_) {
    // Two concurrent polls: the client is broken or hostile (engine.io closes the session).
    respond(bad_request());
    end("transport error");
    return;
  }
  pending_get_ = std::move(respond);
  pending_base_ = std::move(base);
  if (upgrading_ && outbox_.empty()) return hold_poll_for_upgrade();
  flush_poll();
}

void session::await_last_poll() {
  close_requested_ = true;
  ws_claimed_.store(true);  // nothing can upgrade a closing session
  end("transport close");   // the layers above learn at once (recovery, the partner)
}

void session::release_sid() {
  if (sid_released_) return;
  sid_released_ = true;
  on_gone_(id_);
}

void session::hold_poll_for_upgrade() {
  noop_timer_.expires_after(upgrade_noop_delay);
  noop_timer_.async_wait([w = weak_from_this()](boost::system::error_code ec) {
    auto self = w.lock();
    if (!ec && self && !self->closed_) self->respond_pending("6");
  });
}

void session::respond_pending(std::string body) {
  if (!pending_get_) return;
  auto respond = std::move(pending_get_);
  pending_get_ = nullptr;
  respond(text_response(std::move(pending_base_), std::move(body)));
}

void session::on_post(std::string_view body, const http::respond_fn& respond, http::response base) {
  if (!closed_ && pong_overdue()) time_out();
  if (closed_ || close_requested_ || transport_ != transport::polling) {
    respond(bad_request());
    return;
  }
  if (post_) {
    // A POST while the previous one is still held: the client did not wait for its answer
    // (engine.io closes the session on this "data request overlap" too).
    respond(http::make_text(400, "application/json", R"({"code":3,"message":"Bad request"})"));
    end("transport error");
    return;
  }
  if (body.size() > opts_.max_payload) {
    respond(http::make_error(core::wire_error::payload_too_large));
    end("transport error");
    return;
  }
  std::vector<eio::packet> packets;
  if (eio::decode_payload(body, packets) != eio::decode_error::none) {
    respond(bad_request());
    end("parse error");
    return;
  }
  base.status = 200;
  base.headers.set("content-type", "text/html");
  base.body = "ok";
  post_ = held_post{std::move(packets), 0, respond, std::move(base)};
  run_post();
}

// Handles the held POST's packets while the layer above keeps up; answers it when all are done.
void session::run_post() {
  while (post_ && !closed_ && !close_requested_ && post_->next < post_->packets.size()) {
    if (post_input_full()) return;  // resumed by release_post_input()
    // Moved out: the packet may end the session, which answers the POST and drops post_.
    auto p = std::move(post_->packets[post_->next++]);
    handle_packet(static_cast<char>('0' + static_cast<int>(p.type)), p.data, p.binary);
  }
  if (!post_) return;
  auto done = std::move(*post_);
  post_.reset();
  done.respond(std::move(done.base));
}

// Polling input backpressure, the same scheme as the WebSocket reader's (net/ws_session): the
// strand sets post_paused_ before it re-checks post_held_; a release decrements post_held_
// before it checks post_paused_ (both sequentially consistent), so a pause is never missed.
bool session::post_input_full() {
  const std::size_t limit = std::max<std::size_t>(2, opts_.input_hold_limit);
  if (post_held_.load() < limit) return false;
  post_paused_.store(true);
  if (post_held_.load() >= limit) return true;
  post_paused_.store(false);  // released meanwhile; a resume queued by then finds nothing held
  return false;
}

void session::release_post_input() {
  const std::size_t limit = std::max<std::size_t>(2, opts_.input_hold_limit);
  const std::size_t left = post_held_.fetch_sub(1) - 1;
  if (left <= limit / 2 && post_paused_.exchange(false)) {
    asio::dispatch(strand_, [self = shared_from_this()] {
      if (self->post_) self->run_post();
    });
  }
}

input_hold session::hold_input() {
  // On WebSocket the connection itself stops reading; on polling, the POST is held.
  if (auto* ws = ws_view_.load(std::memory_order_acquire); ws != nullptr) return ws->hold_input();
  post_held_.fetch_add(1);
  // The pointer is only a non-null tag: the deleter releases the hold.
  return {static_cast<void*>(this),
          [self = shared_from_this()](void*) { self->release_post_input(); }};
}

void session::on_ws_message(std::string_view data, bool binary) {
  if (closed_) return;
  if (binary) return handle_packet('4', data, true);
  eio::packet_view p;
  if (eio::decode_text(data, p) != eio::decode_error::none) return end("parse error");
  handle_packet(static_cast<char>('0' + static_cast<int>(p.type)), p.data, false);
}

void session::on_ws_closed() {
  end("transport close");
}

void session::handle_packet(char type, std::string_view data, bool binary) {
  switch (type) {
    case '4':
      if (listener_) listener_->on_message(data, binary);
      break;
    case '3':  // pong
      if (awaiting_pong_) {
        awaiting_pong_ = false;
        schedule_ping();
      }
      break;
    case '1':
      // Client-initiated close: a pending poll ends with a noop, as the reference server does.
      // A poll sent before the close but arriving after it on another connection (I/O threads
      // do not keep the order of two connections) gets the same noop: the end waits for it
      // briefly instead of answering it "Session ID unknown".
      if (transport_ == transport::polling && !pending_get_) return await_last_poll();
      respond_pending("6");
      end("transport close");
      break;
    case '6':  // noop
    case '2':  // clients do not ping in v4; ignore rather than fail
      break;
    default:
      end("parse error");
      break;
  }
}

bool session::try_claim_websocket() {
  if (closing_.load()) return false;
  bool expected = false;
  return ws_claimed_.compare_exchange_strong(expected, true);
}

void session::release_websocket_claim() {
  ws_claimed_.store(false);
}

void session::on_probe_open(const std::shared_ptr<net::ws_connection>& ws) {
  if (closed_ || probe_) {
    ws->close(1000, {});
    return;
  }
  probe_ = ws;
  // A probe that never sends "2probe" must not outlive its welcome.
  arm_probe_timer(ws, opts_.ping_timeout);
}

void session::arm_probe_timer(const std::shared_ptr<net::ws_connection>& ws, millis after) {
  probe_timer_.expires_after(after);
  probe_timer_.async_wait([w = weak_from_this(), c = std::weak_ptr<net::ws_connection>(ws)](
                              boost::system::error_code ec) {
    auto self = w.lock();
    auto conn = c.lock();
    if (!ec && self && conn && self->probe_ == conn) self->drop_probe(1000, "upgrade timeout");
  });
}

void session::on_probe_message(const std::shared_ptr<net::ws_connection>& ws,
                               std::string_view data) {
  if (closed_) return;
  if (probe_ == ws && !upgrading_ && data == "2probe") {
    upgrading_ = true;
    ws->send(std::make_shared<const std::string>("3probe"), false, false);
    // The upgrade itself ("5") gets one heartbeat cycle.
    arm_probe_timer(ws, opts_.ping_interval + opts_.ping_timeout);
    // A waiting poll is released with a noop shortly, so the client can pause polling and
    // send "5"; a poll racing "5" is refused like any poll after the upgrade (see below).
    if (pending_get_) hold_poll_for_upgrade();
    return;
  }
  if (probe_ == ws && upgrading_ && data == "5") {
    upgrading_ = false;
    probe_timer_.cancel();
    noop_timer_.cancel();
    transport_ = transport::websocket;
    ws_ = std::move(probe_);
    // A client pauses polling before "5": a poll still held here raced the upgrade packet.
    if (pending_get_) {
      auto respond = std::move(pending_get_);
      pending_get_ = nullptr;
      respond(bad_request());
    }
    if (!outbox_.empty()) {
      // Move what was waiting for the next poll onto the WebSocket, in order.
      std::vector<eio::packet> pending;
      eio::decode_payload(outbox_, pending);
      outbox_.clear();
      outbox_packets_ = 0;
      outbox_bytes_.store(0);
      for (const auto& p : pending) {
        if (p.binary) {
          ws_->send(std::make_shared<const std::string>(p.data), true, false);
        } else {
          std::string s(1, static_cast<char>('0' + static_cast<int>(p.type)));
          s += p.data;
          ws_->send(std::make_shared<const std::string>(std::move(s)), false, false);
        }
      }
    }
    ws_view_.store(ws_.get(), std::memory_order_release);
    return;
  }
  if (transport_ == transport::websocket && ws_ == ws) return on_ws_message(data, false);
  // Anything else during a probe is a protocol error on that connection only.
  if (probe_ == ws) return drop_probe(1002, "bad probe");
  ws->close(1002, "bad probe");
}

void session::drop_probe(std::uint16_t code, std::string_view reason) {
  // The session lets go of the probe before closing it, so a client that sees the close and
  // probes again is not refused by a claim the old probe still holds.
  auto ws = std::move(probe_);
  upgrading_ = false;
  probe_timer_.cancel();
  ws_claimed_.store(false);
  if (ws) ws->close(code, reason);
}

void session::on_probe_closed(const std::shared_ptr<net::ws_connection>& ws) {
  if (probe_ == ws) {
    probe_.reset();  // closed already: only the session's state is dropped
    drop_probe(1000, {});
  } else if (ws_ == ws) {
    end("transport close");
  }
}

bool session::pong_overdue() const {
  return std::chrono::steady_clock::now() >= pong_due_;
}

void session::schedule_ping() {
  heartbeat_.expires_after(opts_.ping_interval);
  // The deadline counts from the scheduled ping, not from when its handler ran, so a late
  // timer cannot stretch pingInterval + pingTimeout.
  pong_due_ = heartbeat_.expiry() + opts_.ping_timeout;
  heartbeat_.async_wait([w = weak_from_this()](boost::system::error_code ec) {
    auto self = w.lock();
    if (ec || !self || self->closed_) return;
    self->awaiting_pong_ = true;
    self->enqueue_packet('2', {});
    self->heartbeat_.expires_at(self->pong_due_);
    self->heartbeat_.async_wait([w2 = self->weak_from_this()](boost::system::error_code e) {
      auto s = w2.lock();
      if (!e && s && s->awaiting_pong_) s->time_out();
    });
  });
}

void session::time_out() {
  timed_out_ = true;
  end("ping timeout");
}

void session::abandon() {
  closed_ = true;
  listener_.reset();
  ws_view_.store(nullptr);
  ws_.reset();
  probe_.reset();
  pending_get_ = nullptr;
  post_.reset();
}

void session::close(std::string reason) {
  asio::dispatch(strand_, [self = shared_from_this(), r = std::move(reason)] { self->end(r); });
}

void session::end(std::string_view reason) {
  if (closed_) return;
  closed_ = true;
  closing_.store(true, std::memory_order_release);
  heartbeat_.cancel();
  probe_timer_.cancel();
  noop_timer_.cancel();
  if (pending_get_) {
    auto respond = std::move(pending_get_);
    pending_get_ = nullptr;
    respond(text_response(std::move(pending_base_), take_outbox_and_close()));
  }
  if (post_) {
    // A POST held for backpressure: what it carried up to here was handled.
    auto p = std::move(*post_);
    post_.reset();
    p.respond(std::move(p.base));
  }
  if (ws_) ws_->close(1000, {});
  if (probe_) probe_->close(1000, {});
  auto l = std::exchange(listener_, nullptr);
  if (l) l->on_close(reason);
  if (close_requested_) {
    // The sid stays known a little longer, for a poll that raced the close (on_poll).
    noop_timer_.expires_after(close_poll_wait);
    noop_timer_.async_wait([w = weak_from_this()](boost::system::error_code ec) {
      if (auto self = w.lock(); self && !ec) self->release_sid();
    });
    return;
  }
  release_sid();
}

}  // namespace hw::engineio

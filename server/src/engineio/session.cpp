#include "engineio/session.hpp"

#include <algorithm>
#include <boost/asio/dispatch.hpp>
#include <boost/asio/post.hpp>

#include "protocol/engineio.hpp"

namespace hw::engineio {

namespace asio = boost::asio;
namespace eio = protocol::eio;

namespace {
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
      heartbeat_(strand_) {}

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

void session::start_polling(std::shared_ptr<listener> l) {
  listener_ = std::move(l);
  transport_ = transport::polling;
  schedule_ping();
}

void session::start_websocket(std::shared_ptr<net::ws_connection> ws, std::shared_ptr<listener> l) {
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
  if (closed_) {
    respond(text_response(std::move(base), take_outbox_and_close()));
    return;
  }
  if (transport_ != transport::polling) {
    respond(http::make_text(400, "application/json", R"({"code":3,"message":"Bad request"})"));
    return;
  }
  if (pending_get_) {
    // Two concurrent polls: the client is broken or hostile (engine.io closes the session).
    respond(http::make_text(400, "application/json", R"({"code":3,"message":"Bad request"})"));
    end("transport error");
    return;
  }
  if (upgrading_ && outbox_.empty()) {
    respond(text_response(std::move(base), "6"));
    return;
  }
  pending_get_ = std::move(respond);
  pending_base_ = std::move(base);
  flush_poll();
}

void session::on_post(std::string_view body, const http::respond_fn& respond, http::response base) {
  if (closed_ || transport_ != transport::polling) {
    respond(http::make_text(400, "application/json", R"({"code":3,"message":"Bad request"})"));
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
    respond(http::make_error(413, "payload_too_large", "Engine.IO payload too large"));
    end("transport error");
    return;
  }
  std::vector<eio::packet> packets;
  if (eio::decode_payload(body, packets) != eio::decode_error::none) {
    respond(http::make_text(400, "application/json", R"({"code":3,"message":"Bad request"})"));
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
  while (post_ && !closed_ && post_->next < post_->packets.size()) {
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
      if (pending_get_) {
        auto respond = std::move(pending_get_);
        pending_get_ = nullptr;
        respond(text_response(std::move(pending_base_), "6"));
      }
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

void session::on_probe_message(const std::shared_ptr<net::ws_connection>& ws,
                               std::string_view data) {
  if (closed_) return;
  if (!upgrading_ && data == "2probe") {
    upgrading_ = true;
    probe_ = ws;
    ws_claimed_.store(true);
    ws->send(std::make_shared<const std::string>("3probe"), false, false);
    // Release a waiting poll so the client can pause polling and send "5" (a poll that comes
    // later during the upgrade is answered the same way, see on_poll).
    if (pending_get_) {
      auto respond = std::move(pending_get_);
      pending_get_ = nullptr;
      respond(text_response(std::move(pending_base_), "6"));
    }
    return;
  }
  if (upgrading_ && probe_ == ws && data == "5") {
    upgrading_ = false;
    transport_ = transport::websocket;
    ws_ = std::move(probe_);
    if (pending_get_) {  // the client polls no more: end its last poll with a noop
      auto respond = std::move(pending_get_);
      pending_get_ = nullptr;
      respond(text_response(std::move(pending_base_), "6"));
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
  ws->close(1002, "bad probe");
}

void session::on_probe_closed(const std::shared_ptr<net::ws_connection>& ws) {
  if (probe_ == ws) {
    probe_.reset();
    upgrading_ = false;
    ws_claimed_.store(false);
  } else if (ws_ == ws) {
    end("transport close");
  }
}

void session::schedule_ping() {
  heartbeat_.expires_after(opts_.ping_interval);
  heartbeat_.async_wait([w = weak_from_this()](boost::system::error_code ec) {
    auto self = w.lock();
    if (ec || !self || self->closed_) return;
    self->awaiting_pong_ = true;
    self->enqueue_packet('2', {});
    self->heartbeat_.expires_after(self->opts_.ping_timeout);
    self->heartbeat_.async_wait([w2 = self->weak_from_this()](boost::system::error_code e) {
      auto s = w2.lock();
      if (!e && s && s->awaiting_pong_) s->end("ping timeout");
    });
  });
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
  on_gone_(id_);
}

}  // namespace hw::engineio

#include "engineio/session.hpp"

#include <boost/asio/dispatch.hpp>

#include "core/log.hpp"
#include "engineio/polling_transport.hpp"
#include "engineio/websocket_transport.hpp"

namespace hw::engineio {

namespace asio = boost::asio;
namespace eio = protocol::eio;

namespace {
// How long a client's close packet waits for a poll that raced it on another connection. Long
// enough for any loaded machine; it delays only the end of a session whose client closed with no
// poll waiting (a closing client normally has one waiting, and that one ends it at once).
constexpr auto close_poll_wait = std::chrono::seconds(1);
}  // namespace

session::session(asio::any_io_executor strand, std::string id, const options& opts,
                 std::function<void(const std::string&)> on_gone,
                 std::function<void(close_reason)> on_closed)
    : strand_(std::move(strand)),
      id_(std::move(id)),
      opts_(opts),
      on_gone_(std::move(on_gone)),
      on_closed_(std::move(on_closed)),
      heartbeat_(strand_),
      probe_timer_(strand_),
      noop_timer_(strand_) {}

session::~session() = default;

// ---- handshake ---------------------------------------------------------------------------------

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
    if (!ec && self && !self->started_) self->end(close_reason::never_started);
  });
}

void session::start_polling(std::shared_ptr<listener> l) {
  polling_ = std::make_shared<polling_transport>(
      strand_, polling_transport::limits{opts_.max_payload, opts_.input_hold_limit});
  start(polling_, std::move(l));
}

void session::start(std::shared_ptr<transport> t, std::shared_ptr<listener> l) {
  started_ = true;
  listener_ = std::move(l);
  if (t->own_queue()) ws_claimed_.store(true);  // nothing upgrades a WebSocket session
  attach(t);
  transport_ = std::move(t);
  enqueue_packet(open_packet(transport_->can_upgrade()));
  // From here on, other threads send straight into the connection's queue (after the open
  // packet, which went out just now).
  if (transport_->own_queue()) direct_.store(transport_.get(), std::memory_order_release);
  schedule_ping();
}

void session::start_websocket(std::shared_ptr<net::ws_connection> ws, std::shared_ptr<listener> l) {
  start(std::make_shared<websocket_transport>(std::move(ws)), std::move(l));
}

void session::on_ws_message(std::string_view data, bool binary) {
  if (!transport_) return;
  if (binary) return on_packet(*transport_, eio::decode_binary(data));
  eio::packet_view p;
  if (eio::decode_text(data, p) != eio::decode_error::none) {
    return on_transport_close(*transport_, close_reason::parse_error);
  }
  on_packet(*transport_, p);
}

void session::on_ws_closed() {
  if (transport_) on_transport_close(*transport_, close_reason::transport_close);
}

void session::attach(const std::shared_ptr<transport>& t) {
  t->set_owner(std::static_pointer_cast<transport_owner>(shared_from_this()));
}

// ---- outbox ------------------------------------------------------------------------------------

net::send_result session::send(outgoing msg) {
  if (closing_.load(std::memory_order_acquire)) return net::send_result::closed;
  // On WebSocket the connection's own queue is thread-safe: no hop through the session strand,
  // and a volatile message's fate (queued or dropped) is known here.
  if (auto* t = direct_.load(std::memory_order_acquire); t != nullptr) {
    return t->send_now(std::move(msg));
  }
  if (msg.is_volatile && outbox_bytes_.load() > opts_.send_queue_bytes / 4) {
    return net::send_result::dropped;  // congested polling outbox
  }
  asio::dispatch(strand_, [self = shared_from_this(), m = std::move(msg)]() mutable {
    self->enqueue(std::move(m));
  });
  return net::send_result::queued;
}

void session::enqueue(outgoing msg) {
  if (closed_) return;
  if (msg.text) push({std::move(msg.text), false, msg.is_volatile});
  for (auto& b : msg.binaries)
    push({std::move(b), true, msg.is_volatile});
  if (buffered() && outbox_size_ > 4 * opts_.send_queue_bytes) {
    // A polling client that stopped polling: its outbox must not grow without bound.
    return end(close_reason::slow_consumer);
  }
  flush();
}

void session::enqueue_packet(std::string packet) {
  if (closed_) return;
  push(text_frame(std::move(packet)));
  flush();
}

void session::push(frame f) {
  outbox_size_ += (outbox_.empty() ? 0 : 1) + payload_size(f);
  outbox_bytes_.store(outbox_size_);
  outbox_.push_back(std::move(f));
}

bool session::buffered() const {
  return !transport_ || !transport_->own_queue();
}

void session::flush() {
  if (!transport_ || outbox_.empty() || !transport_->writable()) return;
  transport_->send(take_outbox());
}

std::vector<frame> session::take_outbox() {
  std::vector<frame> out;
  out.swap(outbox_);
  outbox_size_ = 0;
  outbox_bytes_.store(0);
  return out;
}

input_hold session::hold_input() {
  // On WebSocket the connection itself stops reading; on polling, the POST is held.
  if (auto* t = direct_.load(std::memory_order_acquire); t != nullptr) return t->hold_input();
  return polling_ ? polling_->hold_input() : input_hold{};
}

// ---- packets -----------------------------------------------------------------------------------

void session::on_packet(transport& from, const eio::packet_view& p) {
  if (closed_) return;
  if (&from == probe_.get()) return on_probe_packet(p);
  // A WebSocket that was a probe and was given up, its last messages still on the way.
  if (&from != transport_.get() && &from != polling_.get())
    return from.close_with(1002, "bad probe");
  handle_packet(p);
}

void session::handle_packet(const eio::packet_view& p) {
  switch (p.type) {
    case eio::packet_type::message:
      if (listener_) listener_->on_message(p.data, p.binary);
      break;
    case eio::packet_type::pong:
      if (awaiting_pong_) {
        awaiting_pong_ = false;
        schedule_ping();
      }
      break;
    case eio::packet_type::close:
      on_client_close();
      break;
    case eio::packet_type::noop:
    case eio::packet_type::ping:  // clients do not ping in v4; ignore rather than fail
      break;
    default:
      end(close_reason::parse_error);
      break;
  }
}

void session::on_drain(transport& from) {
  if (closed_ || &from != transport_.get()) return;
  if (upgrading_ && outbox_.empty()) return hold_poll_for_upgrade();
  flush();
}

void session::on_transport_close(transport& from, close_reason why) {
  if (&from == probe_.get()) {
    if (why == close_reason::parse_error && !closed_) return drop_probe(1002, "bad probe");
    probe_.reset();  // closed already: only the session's state is dropped
    return drop_probe(1000, {});
  }
  if (&from == transport_.get()) end(why);
}

// ---- polling requests --------------------------------------------------------------------------

void session::on_poll(http::respond_fn respond, http::response base) {
  if (close_requested_) {  // the poll that raced the client's close packet: its noop, then gone
    noop_timer_.cancel();
    respond(poll_response(std::move(base), "6"));
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
      auto last = take_outbox();
      last.push_back(text_frame("1"));
      respond(poll_response(std::move(base), encode_payload(last)));
    }
    return;
  }
  if (!polling_ || transport_ != polling_) {
    respond(bad_request());
    return;
  }
  polling_->on_get(std::move(respond), std::move(base));
}

void session::on_post(std::string_view body, const http::respond_fn& respond, http::response base) {
  if (!closed_ && pong_overdue()) time_out();
  if (closed_ || close_requested_ || !polling_ || transport_ != polling_) {
    respond(bad_request());
    return;
  }
  polling_->on_post(body, respond, std::move(base));
}

void session::send_noop() {
  if (polling_ && polling_->writable()) polling_->send({text_frame("6")});
}

// ---- heartbeat ---------------------------------------------------------------------------------

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
    self->enqueue_packet("2");
    self->heartbeat_.expires_at(self->pong_due_);
    self->heartbeat_.async_wait([w2 = self->weak_from_this()](boost::system::error_code e) {
      auto s = w2.lock();
      if (!e && s && s->awaiting_pong_) s->time_out();
    });
  });
}

void session::time_out() {
  timed_out_ = true;
  end(close_reason::ping_timeout);
}

// ---- close -------------------------------------------------------------------------------------

void session::on_client_close() {
  // A pending poll ends with a noop, as the reference server does. A poll sent before the
  // close but arriving after it on another connection (I/O threads do not keep the order of
  // two connections) gets the same noop: the end waits for it briefly instead of answering it
  // "Session ID unknown".
  if (polling_ && transport_ == polling_) {
    if (!polling_->writable()) return await_last_poll();
    send_noop();
  }
  end(close_reason::client_close);
}

void session::await_last_poll() {
  close_requested_ = true;
  ws_claimed_.store(true);          // nothing can upgrade a closing session
  end(close_reason::client_close);  // the layers above learn at once (recovery, the partner)
}

void session::release_sid() {
  if (sid_released_) return;
  sid_released_ = true;
  on_gone_(id_);
}

void session::abandon() {
  closed_ = true;
  listener_.reset();
  direct_.store(nullptr);
  for (auto* t : {&transport_, &probe_}) {
    if (*t) (*t)->abandon();
    t->reset();
  }
  if (polling_) polling_->abandon();
  polling_.reset();
}

void session::close(std::string reason) {
  const auto why = reason_of_text(reason).value_or(close_reason::forced_close);
  asio::dispatch(strand_,
                 [self = shared_from_this(), why, r = std::move(reason)] { self->end(why, r); });
}

void session::close(close_reason why) {
  asio::dispatch(strand_, [self = shared_from_this(), why] { self->end(why); });
}

void session::report(close_reason why) const {
  const std::string_view on = transport_ ? transport_->name() : "none";
  // Protocol misuse is worth seeing at info; ordinary ends only at debug. No address, no sid.
  const bool misuse = why == close_reason::parse_error || why == close_reason::transport_error ||
                      why == close_reason::slow_consumer;
  core::log::write(misuse ? core::log::level::info : core::log::level::debug, "engineio_closed",
                   {{"reason", name_of(why)}, {"transport", on}});
  if (on_closed_) on_closed_(why);
}

void session::end(close_reason why, std::string_view text) {
  if (closed_) return;
  closed_ = true;
  closing_.store(true, std::memory_order_release);
  heartbeat_.cancel();
  probe_timer_.cancel();
  noop_timer_.cancel();
  if (transport_) {
    // A held poll gets what was queued, then the close packet; without one the outbox waits for
    // a late poll (on_poll).
    std::vector<frame> last;
    if (buffered() && transport_->writable()) last = take_outbox();
    transport_->close(std::move(last));
  }
  if (polling_ && transport_ != polling_) polling_->close({});  // upgraded: a held POST ends
  if (probe_) probe_->close({});
  report(why);
  auto l = std::exchange(listener_, nullptr);
  if (l) l->on_close(text.empty() ? text_of(why) : text);
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

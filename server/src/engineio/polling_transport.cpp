#include "engineio/polling_transport.hpp"

#include <algorithm>
#include <boost/asio/dispatch.hpp>

namespace hw::engineio {

namespace asio = boost::asio;
namespace eio = protocol::eio;

std::size_t payload_size(const frame& f) {
  const std::size_t n = f.data->size();
  return f.binary ? 1 + (n + 2) / 3 * 4 : n;  // "b" + base64, or the packet as it is
}

std::string encode_payload(const std::vector<frame>& frames) {
  std::string out;
  for (const auto& f : frames) {
    const std::string_view d(*f.data);
    if (f.binary) {
      eio::encode_payload_append(out, eio::packet_type::message, d, true);
    } else if (!d.empty()) {
      eio::encode_payload_append(out, static_cast<eio::packet_type>(d[0] - '0'), d.substr(1),
                                 false);
    }
  }
  return out;
}

http::response poll_response(http::response base, std::string body) {
  base.status = 200;
  base.headers.set("content-type", "text/plain; charset=UTF-8");
  base.body = std::move(body);
  return base;
}

http::response bad_request() {
  return http::make_text(400, "application/json", R"({"code":3,"message":"Bad request"})");
}

polling_transport::polling_transport(asio::any_io_executor strand, limits lim)
    : strand_(std::move(strand)), limits_(lim) {}

void polling_transport::report_close(close_reason why) {
  if (auto o = owner()) o->on_transport_close(*this, why);
}

void polling_transport::send(std::vector<frame> frames) {
  if (!pending_get_) return;
  auto respond = std::move(pending_get_);
  pending_get_ = nullptr;
  respond(poll_response(std::move(pending_base_), encode_payload(frames)));
}

net::send_result polling_transport::send_now(outgoing /*msg*/) {
  return net::send_result::closed;  // not own_queue(): the session never calls this
}

void polling_transport::close(std::vector<frame> last) {
  closed_ = true;
  if (pending_get_) {
    // A held poll learns of the end: what was still queued, then the close packet.
    last.push_back(text_frame("1"));
    send(std::move(last));
  }
  if (post_) {
    // A POST held for backpressure: what it carried up to here was handled.
    auto p = std::move(*post_);
    post_.reset();
    p.respond(std::move(p.base));
  }
}

void polling_transport::close_with(std::uint16_t /*code*/, std::string_view /*text*/) {
  close({});
}

void polling_transport::abandon() {
  closed_ = true;
  pending_get_ = nullptr;
  post_.reset();
}

void polling_transport::discard() {
  // A client pauses polling before it sends the upgrade packet: a poll still held raced it.
  if (!pending_get_) return;
  auto respond = std::move(pending_get_);
  pending_get_ = nullptr;
  respond(bad_request());
}

void polling_transport::on_get(http::respond_fn respond, http::response base) {
  if (pending_get_) {
    // Two concurrent polls: the client is broken or hostile (engine.io closes the session).
    respond(bad_request());
    return report_close(close_reason::transport_error);
  }
  pending_get_ = std::move(respond);
  pending_base_ = std::move(base);
  if (auto o = owner()) o->on_drain(*this);
}

void polling_transport::on_post(std::string_view body, const http::respond_fn& respond,
                                http::response base) {
  if (post_) {
    // A POST while the previous one is still held: the client did not wait for its answer
    // (engine.io closes the session on this "data request overlap" too).
    respond(bad_request());
    return report_close(close_reason::transport_error);
  }
  if (body.size() > limits_.max_payload) {
    respond(http::make_error(core::wire_error::payload_too_large));
    return report_close(close_reason::transport_error);
  }
  std::vector<eio::packet> packets;
  if (eio::decode_payload(body, packets) != eio::decode_error::none) {
    respond(bad_request());
    return report_close(close_reason::parse_error);
  }
  base.status = 200;
  base.headers.set("content-type", "text/html");
  base.body = "ok";
  post_ = held_post{std::move(packets), 0, respond, std::move(base)};
  run_post();
}

// Hands the held POST's packets up while the layer above keeps up; answers it when all are done.
void polling_transport::run_post() {
  while (post_ && !closed_ && post_->next < post_->packets.size()) {
    if (post_input_full()) return;  // resumed by release_post_input()
    // Moved out: the packet may end the session, which answers the POST and drops post_.
    auto p = std::move(post_->packets[post_->next++]);
    auto o = owner();
    if (!o) break;
    o->on_packet(*this, eio::packet_view{p.type, p.binary, p.data});
  }
  if (!post_) return;
  auto done = std::move(*post_);
  post_.reset();
  done.respond(std::move(done.base));
}

// The same scheme as the WebSocket reader's (net/ws_session): the strand sets post_paused_
// before it re-checks post_held_; a release decrements post_held_ before it checks post_paused_
// (both sequentially consistent), so a pause is never missed.
bool polling_transport::post_input_full() {
  const std::size_t limit = std::max<std::size_t>(2, limits_.input_hold_limit);
  if (post_held_.load() < limit) return false;
  post_paused_.store(true);
  if (post_held_.load() >= limit) return true;
  post_paused_.store(false);  // released meanwhile; a resume queued by then finds nothing held
  return false;
}

void polling_transport::release_post_input() {
  const std::size_t limit = std::max<std::size_t>(2, limits_.input_hold_limit);
  const std::size_t left = post_held_.fetch_sub(1) - 1;
  if (left <= limit / 2 && post_paused_.exchange(false)) {
    asio::dispatch(strand_, [self = shared_from_this()] {
      if (self->post_) self->run_post();
    });
  }
}

input_hold polling_transport::hold_input() {
  post_held_.fetch_add(1);
  // The pointer is only a non-null tag: the deleter releases the hold.
  return {static_cast<void*>(this),
          [self = shared_from_this()](void*) { self->release_post_input(); }};
}

}  // namespace hw::engineio

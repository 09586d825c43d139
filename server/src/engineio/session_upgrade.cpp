// The upgrade half of engineio::session (session.hpp): a WebSocket probes a polling session
// ("2probe" → "3probe"), the held poll is released with a noop, and "5" moves the session and its
// outbox onto the WebSocket, as engine.io's Socket#maybeUpgrade.

#include "engineio/polling_transport.hpp"
#include "engineio/session.hpp"

namespace hw::engineio {

namespace eio = protocol::eio;

namespace {
// A poll held while an upgrade is probed is answered with a noop this soon (the reference
// server's "fast upgrade" check interval).
constexpr millis upgrade_noop_delay{100};
}  // namespace

bool session::try_claim_websocket() {
  if (closing_.load()) return false;
  bool expected = false;
  return ws_claimed_.compare_exchange_strong(expected, true);
}

void session::release_websocket_claim() {
  ws_claimed_.store(false);
}

void session::on_probe_open(std::shared_ptr<transport> t) {
  if (closed_ || probe_) {
    t->close({});
    return;
  }
  attach(t);
  probe_ = std::move(t);
  // A probe that never sends "2probe" must not outlive its welcome.
  arm_probe_timer(opts_.ping_timeout);
}

void session::arm_probe_timer(millis after) {
  probe_timer_.expires_after(after);
  probe_timer_.async_wait(
      [w = weak_from_this(), p = std::weak_ptr<transport>(probe_)](boost::system::error_code ec) {
        auto self = w.lock();
        auto probe = p.lock();
        if (ec || !self || !probe || self->probe_ != probe) return;
        self->report(close_reason::upgrade_timeout);
        self->drop_probe(1000, text_of(close_reason::upgrade_timeout));
      });
}

void session::on_probe_packet(const eio::packet_view& p) {
  if (!upgrading_ && p.type == eio::packet_type::ping && !p.binary && p.data == "probe") {
    upgrading_ = true;
    probe_->send({text_frame("3probe")});
    // The upgrade itself ("5") gets one heartbeat cycle.
    arm_probe_timer(opts_.ping_interval + opts_.ping_timeout);
    // A waiting poll is released with a noop shortly, so the client can pause polling and
    // send "5"; a poll racing "5" is refused like any poll after the upgrade.
    if (polling_ && polling_->writable()) hold_poll_for_upgrade();
    return;
  }
  if (upgrading_ && p.type == eio::packet_type::upgrade && !p.binary && p.data.empty()) {
    return finish_upgrade();
  }
  // Anything else during a probe is a protocol error on that connection only.
  drop_probe(1002, "bad probe");
}

void session::finish_upgrade() {
  upgrading_ = false;
  probe_timer_.cancel();
  noop_timer_.cancel();
  // A client pauses polling before "5": a poll still held here raced the upgrade packet.
  if (polling_) polling_->discard();
  transport_ = std::move(probe_);
  flush();  // what was waiting for the next poll leaves on the WebSocket, in order
  direct_.store(transport_.get(), std::memory_order_release);
}

void session::drop_probe(std::uint16_t code, std::string_view text) {
  // The session lets go of the probe before closing it, so a client that sees the close and
  // probes again is not refused by a claim the old probe still holds.
  auto t = std::move(probe_);
  upgrading_ = false;
  probe_timer_.cancel();
  ws_claimed_.store(false);
  if (t) t->close_with(code, text);
}

void session::hold_poll_for_upgrade() {
  noop_timer_.expires_after(upgrade_noop_delay);
  noop_timer_.async_wait([w = weak_from_this()](boost::system::error_code ec) {
    auto self = w.lock();
    if (!ec && self && !self->closed_) self->send_noop();
  });
}

}  // namespace hw::engineio

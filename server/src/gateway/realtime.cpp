#include "gateway/realtime.hpp"

#include <boost/json.hpp>

#include "gateway/codec.hpp"
#include "gateway/events.hpp"
#include "socketio/socket.hpp"

namespace hw::gateway {

namespace json = boost::json;
using socketio::ack_fn;
using socketio::event_args;
using socketio::socket_ptr;

namespace {

/// The guest a connected socket belongs to (set by the auth middleware); null before that.
const json::value* guest_of(const socket_ptr& s) {
  return s->data().if_contains("guest");
}

std::string guest_id_of(const json::value& g) {
  return std::string(g.as_object().at("id").as_string());
}

}  // namespace

realtime::realtime(boost::asio::io_context& ioc, socketio::server& io, app::session_store& sessions,
                   token_verifier verify, app::chat_config cfg,
                   std::chrono::milliseconds session_touch_interval, core::registry* metrics,
                   app::file_service* files)
    : strand_(ioc),
      io_(io),
      sessions_(sessions),
      verify_(std::move(verify)),
      random_(std::make_unique<app::crypto_random>()),
      files_(files),
      chat_(std::make_unique<app::chat_service>(*this, clock_, *random_, cfg, files)),
      port_(*chat_, metrics),
      timer_(strand_.executor(),
             [this] {
               chat_->tick();
               if (files_ != nullptr) files_->tick();
               refresh();
             }),
      touched_(session_touch_interval, clock_) {
  strand_.set_after([this] { refresh(); });
  if (metrics != nullptr) {
    auto& m = call_metrics_;
    m.started = &metrics->get_counter("hallway_calls_started_total", "Calls started (rang)");
    m.relay_only = &metrics->get_counter("hallway_calls_relay_only_total",
                                         "Calls started with relay-only privacy");
    m.answered = &metrics->get_counter("hallway_calls_answered_total", "Calls answered");
    const char* help = "Calls ended, by reason (timeout: rang unanswered)";
    int i = 0;
    for (const char* reason : {"hangup", "rejected", "timeout", "chat_ended"}) {
      m.ended[i++] = &metrics->get_counter("hallway_calls_ended_total", help, {{"reason", reason}});
    }
  }
  install_auth();
  install_lifecycle();
  install_events();
}

realtime::~realtime() = default;

void realtime::install_auth() {
  io_.of("/").use([this](const socket_ptr& s, const json::object& auth,
                         const socketio::next_fn& next) {
    const auto* token = auth.if_contains("token");
    if (token == nullptr || !token->is_string()) {
      return next(encode_connect_refusal(app::error::token_invalid, "a guest token is required"));
    }
    auto checked = verify_(token->as_string());
    if (checked.error) return next(encode_connect_refusal(*checked.error));
    sessions_.touch(checked.guest_id, [s, next](std::optional<app::guest> g) {
      if (!g) return next(encode_connect_refusal(app::error::session_not_found));
      s->data()["guest"] = encode_guest(*g);
      next(std::nullopt);
    });
  });
}

void realtime::install_lifecycle() {
  auto& nsp = io_.of("/");
  nsp.on_connection([this](const socket_ptr& s) {
    const auto* data = guest_of(s);
    auto g = data != nullptr ? decode_guest(*data) : std::nullopt;
    if (g) on_connected(s, std::move(*g));
  });
  nsp.on_disconnect([this](const socket_ptr& s, std::string_view reason) {
    const auto* g = guest_of(s);
    if (g == nullptr) return;
    // A namespace DISCONNECT (either side) is final: only a lost transport can be recovered.
    const bool ended = reason.find("namespace disconnect") != std::string_view::npos;
    strand_.post([this, s, id = guest_id_of(*g), ended] {
      auto it = live_.find(id);
      if (it == live_.end() || it->second != s) return;  // replaced by a newer connection
      // Outside a room the domain calls offline() at once, which releases the socket; inside
      // one a recoverable socket is held through the grace, until the guest is back or offline().
      chat_->disconnected(id);
      // A socket that cannot be recovered is not held even in the grace: nothing it would
      // buffer can be replayed (the domain keeps the messages for the guest's return).
      if (!chat_->away(id) || ended) release(id, !ended);
    });
  });
}

void realtime::on_connected(const socket_ptr& s, app::guest g) {
  event_args hello;
  hello.args.push_back(encode_hello(g));
  s->emit(events::connection_established, hello);
  strand_.post([this, s, g = std::move(g)] {
    // One connection per guest, the newest: an older one still live, or one waiting for
    // recovery (a reloaded page), is ended, so the guest holds one socket at a time.
    if (auto it = left_.find(g.id); it != left_.end()) {
      if (auto old = it->second.s.lock(); old && old != s) old->disconnect();
      left_.erase(it);
    }
    auto& slot = live_[g.id];
    if (slot && slot != s) slot->disconnect();
    slot = s;
    chat_->connected(g, s->recovered());
  });
}

void realtime::install_events() {
  auto& nsp = io_.of("/");
  for (const auto& row : event_table()) {
    nsp.on(std::string(row.name),
           [this, row = &row](const socket_ptr& s, event_args& a, const ack_fn& ack) {
             dispatch(s, a, ack, row);
           });
  }
  // Unknown events go through the app like the others: refused, and counted as refusals.
  nsp.on_unknown([this](const socket_ptr& s, event_args& a, const ack_fn& ack) {
    dispatch(s, a, ack, nullptr);
  });
}

void realtime::dispatch(const socket_ptr& s, event_args& a, const ack_fn& ack,
                        const event_row* row) {
  const auto* g = guest_of(s);
  if (g == nullptr) return;
  // Counts as waiting for the app until it ran: a connection with too many waiting is not read
  // (backpressure to TCP), so no client can queue unbounded work on the one app strand.
  auto hold = s->hold_input();
  strand_.post([this, s, id = guest_id_of(*g), a = std::move(a), ack, row, hold] {
    auto it = live_.find(id);
    const bool is_live = it != live_.end() && it->second == s;
    if (is_live && touched_.due(id)) sessions_.touch(id, [](const std::optional<app::guest>&) {});
    json::value result = is_live ? run_event(row, port_, id, a.args)
                                 : encode_ack_error(app::chat_error::of(
                                       app::error::not_connected, "this connection was replaced"));
    if (ack) {
      event_args r;
      r.args.push_back(std::move(result));
      ack(std::move(r));
    }
  });
}

void realtime::refresh() {
  expire_left(clock_.now());
  const auto s = chat_->stats();
  online_ = s.online;
  searching_ = s.searching;
  chatting_ = s.chatting;
  const auto& m = chat_->memory();
  mem_online_ = m.online;
  mem_away_ = m.away;
  mem_remembered_ = m.remembered;
  mem_dedupe_ = m.dedupe_entries;
  mem_pending_ = m.pending_messages;
  sockets_held_ = live_.size() + left_.size();
  publish_calls();
  if (files_ != nullptr) {
    files_live_ = files_->live_files();
    file_bytes_ = files_->stored_bytes();
    upload_bytes_ = files_->bytes_in_flight();
  }
  auto at = chat_->next_wakeup();
  if (files_ != nullptr) {
    if (const auto f = files_->next_wakeup(); f && (!at || *f < *at)) at = f;
  }
  if (!left_expiry_.empty() && (!at || left_expiry_.front().first < *at)) {
    at = left_expiry_.front().first;
  }
  timer_.arm(at);
}

void realtime::publish_calls() {
  auto& m = call_metrics_;
  if (m.started == nullptr) return;
  const auto& now = chat_->call_totals();
  const auto bump = [](core::counter* c, std::uint64_t& seen, std::uint64_t value) {
    if (value > seen) c->inc(value - seen);
    seen = value;
  };
  bump(m.started, m.seen.started, now.started);
  bump(m.relay_only, m.seen.relay_only, now.relay_only);
  bump(m.answered, m.seen.answered, now.answered);
  bump(m.ended[0], m.seen.hangup, now.hangup);
  bump(m.ended[1], m.seen.rejected, now.rejected);
  bump(m.ended[2], m.seen.timeout, now.timeout);
  bump(m.ended[3], m.seen.chat_ended, now.chat_ended);
}

void realtime::post(std::function<void(app::chat_service&)> task) {
  strand_.post([this, task = std::move(task)] { task(*chat_); });
}

app::stats_snapshot realtime::stats() const {
  return {online_, searching_, chatting_};
}

memory_snapshot realtime::memory() const {
  memory_snapshot m;
  m.chat.online = mem_online_;
  m.chat.away = mem_away_;
  m.chat.remembered = mem_remembered_;
  m.chat.dedupe_entries = mem_dedupe_;
  m.chat.pending_messages = mem_pending_;
  m.sockets_held = sockets_held_;
  m.files_live = files_live_;
  m.file_bytes_stored = file_bytes_;
  m.upload_bytes_in_flight = upload_bytes_;
  return m;
}

void realtime::release(const std::string& guest, bool may_recover) {
  auto it = live_.find(guest);
  if (it == live_.end() || it->second->connected()) return;
  const auto window = io_.opts().recovery_window;
  if (may_recover && it->second->recoverable() && window.count() > 0) {
    // May still be recovered, or replaced by a newer connection (which ends it) until then.
    const auto until = clock_.now() + window;
    left_[guest] = left_socket{it->second, until};
    left_expiry_.emplace_back(until, guest);
  }
  live_.erase(it);
  touched_.forget(guest);
}

void realtime::expire_left(app::time_point now) {
  while (!left_expiry_.empty() && left_expiry_.front().first <= now) {
    const auto& [at, guest] = left_expiry_.front();
    if (auto it = left_.find(guest); it != left_.end() && it->second.until == at) left_.erase(it);
    left_expiry_.pop_front();
  }
}

bool realtime::emit(const std::string& guest, std::string_view event, json::value payload,
                    bool is_volatile) {
  auto it = live_.find(guest);
  if (it == live_.end()) return false;
  event_args a;
  a.args.push_back(std::move(payload));
  socketio::emit_options o;
  o.is_volatile = is_volatile;
  return it->second->emit(event, a, std::move(o));
}

void realtime::matched(const std::string& guest, const app::matched_event& e) {
  emit(guest, events::user_matched, encode_matched(e));
}

void realtime::call(const std::string& guest, const app::call_signal& s) {
  auto [event, payload] = encode_call(s);
  emit(guest, event, std::move(payload));
}

bool realtime::message(const std::string& guest, const app::chat_message& m) {
  return emit(guest, events::chat_message, encode_message(m));
}

void realtime::delivered(const std::string& guest, const std::vector<std::string>& ids) {
  emit(guest, events::chat_message_delivered, encode_delivered(ids));
}

void realtime::read(const std::string& guest, const std::string& up_to) {
  emit(guest, events::chat_message_read, encode_read(up_to));
}

void realtime::typing(const std::string& guest, bool start) {
  emit(guest, start ? events::chat_typing_start : events::chat_typing_stop, json::object{}, true);
}

void realtime::ended(const std::string& guest, std::string_view reason) {
  emit(guest, events::chat_ended, encode_ended(reason));
}

void realtime::partner_connection(const std::string& guest, std::string_view state) {
  emit(guest, events::partner_connection, encode_partner_connection(state));
}

void realtime::stats(const app::stats_snapshot& s) {
  event_args a;
  a.args.push_back(encode_stats(s));
  io_.of("/").emit({}, events::realtime_stats, a, true);
}

void realtime::disconnect(const std::string& guest, std::string_view /*reason*/) {
  auto it = live_.find(guest);
  if (it != live_.end()) it->second->disconnect();
}

void realtime::offline(const std::string& guest) {
  release(guest);
}

void realtime::gone(const std::string& guest) {
  touched_.forget(guest);
  left_.erase(guest);
  auto it = live_.find(guest);
  if (it != live_.end() && !it->second->connected()) live_.erase(it);
}

}  // namespace hw::gateway

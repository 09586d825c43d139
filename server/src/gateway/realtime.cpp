#include "gateway/realtime.hpp"

#include <boost/asio/post.hpp>
#include <boost/json.hpp>

#include "app/validate.hpp"
#include "gateway/events.hpp"
#include "socketio/socket.hpp"

namespace hw::gateway {

using socketio::emit_options;
using socketio::next_fn;

namespace json = boost::json;
namespace asio = boost::asio;

namespace {

json::value ok(json::object extra = {}) {
  extra["ok"] = true;
  return extra;
}

json::value fail(const app::chat_error& e) {
  json::object err{{"code", e.code}, {"message", e.message}};
  if (!e.field.empty()) err["field"] = e.field;
  if (e.retry_after_ms >= 0) err["retryAfterMs"] = e.retry_after_ms;
  return json::object{{"ok", false}, {"error", std::move(err)}};
}

json::value invalid(std::string_view field, std::string_view message) {
  return fail({"invalid_payload", std::string(message), std::string(field), -1});
}

const json::object* payload(const event_args& a) {
  return !a.args.empty() && a.args[0].is_object() ? &a.args[0].as_object() : nullptr;
}

std::string_view state_name(app::match_state s) {
  switch (s) {
    case app::match_state::searching:
      return "searching";
    case app::match_state::matched:
      return "matched";
    case app::match_state::idle:
      return "idle";
  }
  return "idle";
}

json::array strings(const std::vector<std::string>& v) {
  json::array out;
  for (const auto& s : v)
    out.emplace_back(s);
  return out;
}

// user:match / user:next payload: {mode, interests?, language?, interestsOnly?}.
struct match_request {
  app::match_mode mode = app::match_mode::text;
  std::optional<std::vector<std::string>> interests;
  std::optional<std::string> language;
  bool interests_only = false;
};

std::optional<json::value> parse_match(const event_args& a, match_request& out) {
  const auto* o = payload(a);
  if (o == nullptr) return invalid("payload", "expected an object {mode, interests?, language?}");
  const auto* mode = o->if_contains("mode");
  std::optional<app::match_mode> m;
  if (mode != nullptr && mode->is_string()) m = app::parse_match_mode(mode->as_string());
  if (!m) return invalid("mode", "mode must be 'text' or 'video'");
  out.mode = *m;
  if (const auto* i = o->if_contains("interests"); i != nullptr && !i->is_null()) {
    if (!i->is_array()) return invalid("interests", "must be an array of strings");
    std::vector<std::string> raw;
    for (const auto& t : i->as_array()) {
      if (!t.is_string()) return invalid("interests", "must be an array of strings");
      raw.emplace_back(t.as_string());
    }
    auto v = app::validate_interests(raw);
    if (!v) return invalid(v.field, v.message);
    out.interests = std::move(v.value);
  }
  if (const auto* l = o->if_contains("language"); l != nullptr && !l->is_null()) {
    if (!l->is_string()) return invalid("language", "must be a string");
    auto v = app::validate_language(std::string_view(l->as_string()));
    if (!v) return invalid(v.field, v.message);
    out.language = std::move(v.value);
  }
  // Strictly a boolean when present (null too is refused): a client that means "interests only"
  // must not silently get the fallback.
  if (const auto* io = o->if_contains("interestsOnly"); io != nullptr) {
    if (!io->is_bool()) return invalid("interestsOnly", "interestsOnly must be a boolean");
    out.interests_only = io->as_bool();
  }
  return std::nullopt;
}

// The event handlers: JSON in (types checked here, values by the domain), ack JSON out.

json::value done(const app::chat_result<app::none>& r) {
  return r.value ? ok() : fail(r.error);
}

json::value handle_match(app::chat_service& chat, const std::string& guest, event_args& a,
                         bool next_chat) {
  match_request r;
  if (auto err = parse_match(a, r)) return *err;
  auto res = next_chat ? chat.next(guest, r.mode, std::move(r.interests), std::move(r.language),
                                   r.interests_only)
                       : chat.match(guest, r.mode, std::move(r.interests), std::move(r.language),
                                    r.interests_only);
  if (!res.value) return fail(res.error);
  json::object out{{"state", state_name(*res.value)}};
  if (*res.value == app::match_state::searching) {
    // When the client may show "anyone in N s"; null: it waits for a shared interest only.
    const auto in = chat.fallback_in(guest);
    out["fallbackInMs"] = in ? json::value(in->count()) : json::value(nullptr);
  }
  return ok(std::move(out));
}

json::value handle_cancel(app::chat_service& chat, const std::string& guest, event_args&) {
  auto res = chat.cancel(guest);
  if (!res.value) return fail(res.error);
  return ok({{"state", state_name(*res.value)}});
}

// user:report {reason, note?}. `out` gets the outcome of an accepted report (for the metric).
// The note is handed to the domain for validation only: it is never kept or logged.
json::value handle_report(app::chat_service& chat, const std::string& guest, event_args& a,
                          app::report_outcome& out) {
  const auto* o = payload(a);
  if (o == nullptr) return invalid("payload", "expected an object {reason, note?}");
  const auto* reason = o->if_contains("reason");
  if (reason == nullptr || !reason->is_string()) return invalid("reason", "reason is required");
  std::optional<std::string_view> note;
  if (const auto* n = o->if_contains("note"); n != nullptr && !n->is_null()) {
    if (!n->is_string()) return invalid("note", "note must be a string");
    note = n->as_string();
  }
  auto res = chat.report(guest, reason->as_string(), note);
  if (!res.value) return fail(res.error);
  out = *res.value;
  return ok();
}

json::value handle_message(app::chat_service& chat, const std::string& guest, event_args& a) {
  const auto* o = payload(a);
  if (o == nullptr) return invalid("payload", "expected an object {id, type, text}");
  const auto* id = o->if_contains("id");
  if (id == nullptr || !id->is_string()) return invalid("id", "id must be a UUID string");
  const auto* type = o->if_contains("type");
  if (type != nullptr && !(type->is_string() && type->as_string() == "text")) {
    return invalid("type", "type must be 'text'");
  }
  const auto* text = o->if_contains("text");
  if (text == nullptr || !text->is_string()) return invalid("text", "text must be a string");
  auto res = chat.send(guest, id->as_string(), text->as_string());
  if (!res.value) return fail(res.error);
  return ok({{"id", res.value->id}, {"timestamp", res.value->timestamp}});
}

json::value handle_delivered(app::chat_service& chat, const std::string& guest, event_args& a) {
  const auto* o = payload(a);
  const auto* ids = o != nullptr ? o->if_contains("ids") : nullptr;
  if (ids == nullptr || !ids->is_array()) return invalid("ids", "ids must be an array");
  std::vector<std::string> v;
  for (const auto& i : ids->as_array()) {
    if (!i.is_string()) return invalid("ids", "ids must be UUID strings");
    v.emplace_back(i.as_string());
  }
  return done(chat.delivered(guest, v));
}

json::value handle_read(app::chat_service& chat, const std::string& guest, event_args& a) {
  const auto* o = payload(a);
  const auto* up = o != nullptr ? o->if_contains("upTo") : nullptr;
  if (up == nullptr || !up->is_string()) return invalid("upTo", "upTo must be a UUID string");
  return done(chat.read(guest, up->as_string()));
}

json::value handle_stats(app::chat_service& chat, const std::string& guest, event_args&) {
  auto res = chat.query_stats(guest);
  if (!res.value) return fail(res.error);
  const auto& s = *res.value;
  return ok({{"online", s.online}, {"searching", s.searching}, {"chatting", s.chatting}});
}

}  // namespace

realtime::realtime(asio::io_context& ioc, socketio::server& io, app::session_store& sessions,
                   token_verifier verify, app::chat_config cfg,
                   std::chrono::milliseconds session_touch_interval, core::registry* metrics)
    : strand_(asio::make_strand(ioc)),
      io_(io),
      sessions_(sessions),
      verify_(std::move(verify)),
      random_(std::make_unique<app::crypto_random>()),
      chat_(std::make_unique<app::chat_service>(*this, clock_, *random_, cfg)),
      timer_(strand_),
      touch_interval_(session_touch_interval) {
  if (metrics != nullptr) {
    for (std::size_t i = 0; i < reports_total_.size(); ++i) {
      reports_total_.at(i) = &metrics->get_counter(
          "hallway_reports_total", "Reports accepted (a repeat of the same target counts once)",
          {{"reason", std::string(app::report_reason_names.at(i))}});
    }
  }
  install_auth();
  install_lifecycle();
  install_events();
}

void realtime::install_auth() {
  io_.of("/").use([this](const socket_ptr& s, const json::object& auth, const next_fn& next) {
    const auto refuse = [&next](std::string_view code, std::string_view message) {
      next(json::object{{"message", message}, {"data", {{"code", code}, {"message", message}}}});
    };
    const auto* token = auth.if_contains("token");
    if (token == nullptr || !token->is_string()) {
      return refuse("token_invalid", "a guest token is required");
    }
    auto checked = verify_(token->as_string());
    if (!checked.error.empty()) {
      return refuse(checked.error, checked.error == "token_expired" ? "the token has expired"
                                                                    : "the token is not valid");
    }
    sessions_.touch(checked.guest_id, [s, next](std::optional<app::guest> g) {
      if (!g) {
        next(json::object{
            {"message", "the guest session has ended"},
            {"data", {{"code", "session_not_found"}, {"message", "the guest session has ended"}}}});
        return;
      }
      s->data()["guest"] = json::object{{"id", g->id},
                                        {"username", g->username},
                                        {"language", g->language},
                                        {"interests", strings(g->interests)}};
      next(std::nullopt);
    });
  });
}

void realtime::install_lifecycle() {
  auto& nsp = io_.of("/");
  nsp.on_connection([this](const socket_ptr& s) {
    const auto& o = s->data()["guest"].as_object();
    app::guest g{std::string(o.at("id").as_string()),
                 std::string(o.at("username").as_string()),
                 std::string(o.at("language").as_string()),
                 {}};
    for (const auto& i : o.at("interests").as_array())
      g.interests.emplace_back(i.as_string());
    event_args hello;
    hello.args.push_back(json::object{{"userId", g.id}, {"username", g.username}});
    s->emit(events::connection_established, hello);
    run([this, s, g = std::move(g)] {
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
  });
  nsp.on_disconnect([this](const socket_ptr& s, std::string_view reason) {
    const auto* g = s->data().if_contains("guest");
    if (g == nullptr) return;
    std::string id(g->as_object().at("id").as_string());
    // A namespace DISCONNECT (either side) is final: only a lost transport can be recovered.
    const bool ended = reason.find("namespace disconnect") != std::string_view::npos;
    run([this, s, id = std::move(id), ended] {
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

// Every name of events::client gets a handler here; anything else is unknown_event.
void realtime::install_events() {
  app::chat_service* chat = chat_.get();  // lives as long as the handlers (the gateway)
  const auto with = [chat](json::value (*fn)(app::chat_service&, const std::string&, event_args&)) {
    return [chat, fn](const std::string& guest, event_args& a) { return fn(*chat, guest, a); };
  };
  on(events::user_match, [chat](const std::string& guest, event_args& a) {
    return handle_match(*chat, guest, a, false);
  });
  on(events::user_next, [chat](const std::string& guest, event_args& a) {
    return handle_match(*chat, guest, a, true);
  });
  on(events::user_match_cancel, with(handle_cancel));
  on(events::user_report, [this, chat](const std::string& guest, event_args& a) {
    app::report_outcome outcome;
    json::value r = handle_report(*chat, guest, a, outcome);
    auto* total = reports_total_.at(static_cast<std::size_t>(outcome.reason));
    if (outcome.counted && total != nullptr) total->inc();
    return r;
  });
  on(events::chat_message, with(handle_message));
  on(events::chat_delivered, with(handle_delivered));
  on(events::chat_read, with(handle_read));
  on(events::chat_typing_start,
     [chat](const std::string& guest, event_args&) { return done(chat->typing(guest, true)); });
  on(events::chat_typing_stop,
     [chat](const std::string& guest, event_args&) { return done(chat->typing(guest, false)); });
  for (const auto name : events::chat_leave_aliases) {
    on(name, [chat](const std::string& guest, event_args&) { return done(chat->leave(guest)); });
  }
  on(events::stats_get, with(handle_stats));
  // Unknown events go through the app like the others: refused, and counted as refusals.
  io_.of("/").on_unknown([this](const socket_ptr& s, event_args& a, const ack_fn& ack) {
    dispatch(s, a, ack, [this](const std::string& guest, event_args&) -> json::value {
      return fail(chat_->unknown_event(guest));
    });
  });
}

realtime::~realtime() = default;

void realtime::on(std::string_view event, call fn) {
  io_.of("/").on(std::string(event),
                 [this, fn = std::move(fn)](const socket_ptr& s, event_args& a, const ack_fn& ack) {
                   dispatch(s, a, ack, fn);
                 });
}

void realtime::dispatch(const socket_ptr& s, event_args& a, const ack_fn& ack, const call& fn) {
  const auto* g = s->data().if_contains("guest");
  if (g == nullptr) return;
  std::string id(g->as_object().at("id").as_string());
  // Counts as waiting for the app until it ran: a connection with too many waiting is not read
  // (backpressure to TCP), so no client can queue unbounded work on the one app strand.
  auto hold = s->hold_input();
  run([this, s, id = std::move(id), a = std::move(a), ack, fn, hold]() mutable {
    auto it = live_.find(id);
    const bool is_live = it != live_.end() && it->second == s;
    if (is_live) {
      // Only a live guest gets a touched_ entry, so it ends with the live_ one.
      const auto now = std::chrono::steady_clock::now();
      auto& last = touched_[id];
      if (now - last >= touch_interval_) {
        last = now;
        sessions_.touch(id, [](const std::optional<app::guest>&) {});
      }
    }
    json::value result =
        is_live ? fn(id, a) : fail({"not_connected", "this connection was replaced", {}, -1});
    if (ack) {
      event_args r;
      r.args.push_back(std::move(result));
      ack(std::move(r));
    }
  });
}

void realtime::run(std::function<void()> f) {
  asio::post(strand_, [this, f = std::move(f)] {
    f();
    reschedule();
  });
}

void realtime::reschedule() {
  expire_left(std::chrono::steady_clock::now());
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
  auto at = chat_->next_wakeup();
  if (!left_expiry_.empty() && (!at || left_expiry_.front().first < *at)) {
    at = left_expiry_.front().first;
  }
  if (!at) return;
  timer_.expires_at(*at);
  timer_.async_wait([this](boost::system::error_code ec) {
    if (ec) return;
    chat_->tick();
    reschedule();
  });
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
  return m;
}

void realtime::release(const std::string& guest, bool may_recover) {
  auto it = live_.find(guest);
  if (it == live_.end() || it->second->connected()) return;
  const auto window = io_.opts().recovery_window;
  if (may_recover && it->second->recoverable() && window.count() > 0) {
    // May still be recovered, or replaced by a newer connection (which ends it) until then.
    const auto until = std::chrono::steady_clock::now() + window;
    left_[guest] = left_socket{it->second, until};
    left_expiry_.emplace_back(until, guest);
  }
  live_.erase(it);
  touched_.erase(guest);
}

void realtime::expire_left(std::chrono::steady_clock::time_point now) {
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
  emit_options o;
  o.is_volatile = is_volatile;
  return it->second->emit(event, a, std::move(o));
}

void realtime::matched(const std::string& guest, const app::matched_event& e) {
  emit(guest, events::user_matched,
       json::object{{"roomId", e.room_id},
                    {"mode", app::to_string(e.mode)},
                    {"partner",
                     {{"username", e.partner_username},
                      {"language", e.partner_language.empty() ? json::value(nullptr)
                                                              : json::value(e.partner_language)}}},
                    {"commonInterests", strings(e.common_interests)},
                    {"polite", e.polite}});
}

bool realtime::message(const std::string& guest, const app::chat_message& m) {
  return emit(
      guest, events::chat_message,
      json::object{{"id", m.id}, {"type", "text"}, {"text", m.text}, {"timestamp", m.timestamp}});
}

void realtime::delivered(const std::string& guest, const std::vector<std::string>& ids) {
  emit(guest, events::chat_message_delivered, json::object{{"ids", strings(ids)}});
}

void realtime::read(const std::string& guest, const std::string& up_to) {
  emit(guest, events::chat_message_read, json::object{{"upTo", up_to}});
}

void realtime::typing(const std::string& guest, bool start) {
  emit(guest, start ? events::chat_typing_start : events::chat_typing_stop, json::object{}, true);
}

void realtime::ended(const std::string& guest, std::string_view reason) {
  emit(guest, events::chat_ended, json::object{{"reason", reason}});
}

void realtime::partner_connection(const std::string& guest, std::string_view state) {
  emit(guest, events::partner_connection, json::object{{"state", state}});
}

void realtime::stats(const app::stats_snapshot& s) {
  event_args a;
  a.args.push_back(
      json::object{{"online", s.online}, {"searching", s.searching}, {"chatting", s.chatting}});
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
  touched_.erase(guest);
  left_.erase(guest);
  auto it = live_.find(guest);
  if (it != live_.end() && !it->second->connected()) live_.erase(it);
}

}  // namespace hw::gateway

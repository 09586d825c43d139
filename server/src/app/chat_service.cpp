#include "app/chat_service.hpp"

#include <algorithm>
#include <string>
#include <utility>

#include "app/validate.hpp"

namespace hw::app {

chat_service::chat_service(chat_outbox& out, const clock& clk, random& rnd, chat_config cfg,
                           file_service* files)
    : out_(out),
      files_(files),
      clock_(clk),
      random_(rnd),
      cfg_(cfg),
      matchmaker_(rnd, cfg_.matching),
      pairs_(rnd, cfg_.pairs) {}

chat_service::state* chat_service::find(const std::string& id) {
  auto it = guests_.find(id);
  return it == guests_.end() ? nullptr : &it->second;
}

chat_service::state* chat_service::find_active(const std::string& id) {
  state* s = find(id);
  return s != nullptr && s->active ? s : nullptr;
}

void chat_service::connected(const guest& g, bool recovered) {
  auto it = guests_.find(g.id);
  if (it == guests_.end()) {
    it = guests_.emplace(g.id, state(g, cfg_)).first;
  }
  state& s = it->second;
  if (!s.online) ++mem_.online;
  s.online = true;
  set_forget_at(s, std::nullopt);
  if (!s.active) s.active = std::make_unique<active_state>();
  active_state& a = *s.active;
  if (s.ended_while_away) {
    // The partner left while this guest was away: it learns that now (a recovered transport
    // has replayed the event already).
    if (!recovered) out_.ended(g.id, *s.ended_while_away);
    s.ended_while_away.reset();
  }
  if (a.away_until) {
    // Back within the grace period: the chat continues.
    a.away_until.reset();
    --mem_.away;
    if (auto partner = pairs_.partner_of(g.id)) out_.partner_connection(*partner, "back");
    if (a.room) out_.matched(g.id, *a.room);  // a new page needs the room again
  }
  // Kept while it was away, or refused by a connection that was closing: a recovered transport
  // has replayed them; a new one gets them now (and keeps what it refuses in turn).
  auto kept = std::exchange(a.pending, {});
  mem_.pending_messages -= kept.size();
  if (!recovered) {
    for (auto& m : kept) {
      if (!out_.message(g.id, m)) keep_for_return(a, m);
    }
  }
  changed();
}

void chat_service::disconnected(const std::string& guest_id) {
  state* s = find(guest_id);
  if (s == nullptr || !s->online) return;
  s->online = false;
  --mem_.online;
  matchmaker_.cancel(guest_id);
  auto partner = pairs_.partner_of(guest_id);
  if (partner && s->active) {
    s->active->away_until = clock_.now() + cfg_.reconnect_grace;
    ++mem_.away;
    arm(*s->active->away_until, timer_kind::grace, guest_id);
    out_.partner_connection(*partner, "reconnecting");
  } else {
    drop_if_gone(guest_id);
  }
  changed();
}

void chat_service::drop_if_gone(const std::string& guest_id) {
  state* s = find(guest_id);
  if (s == nullptr || s->online || is_away(*s)) return;
  // Offline and in no room: nothing is sent to it any more, so what served its connection
  // (dedupe ids, kept messages, room, typing) goes now.
  deactivate(*s);
  if (cfg_.retain_offline.count() == 0) return forget(guest_id);
  // Keep its small memory for a while (a reload must not reset recent partners or rate
  // limits), then forget it.
  set_forget_at(*s, clock_.now() + cfg_.retain_offline);
  arm(*s->forget_at, timer_kind::forget, guest_id);
}

void chat_service::deactivate(state& s) {
  if (!s.active) return;
  const active_state& a = *s.active;
  if (a.away_until) --mem_.away;
  mem_.dedupe_entries -= a.sent.size();
  mem_.pending_messages -= a.pending.size();
  s.active.reset();
  out_.offline(s.profile.id);
}

void chat_service::set_forget_at(state& s, std::optional<time_point> at) {
  if (s.forget_at.has_value() != at.has_value()) {
    if (at) {
      ++mem_.remembered;
    } else {
      --mem_.remembered;
    }
  }
  s.forget_at = at;
}

void chat_service::forget(const std::string& guest_id) {
  if (state* s = find(guest_id)) {
    deactivate(*s);
    set_forget_at(*s, std::nullopt);
  }
  pairs_.forget(guest_id);
  guests_.erase(guest_id);
  out_.gone(guest_id);
}

bool chat_service::away(const std::string& guest_id) const {
  auto it = guests_.find(guest_id);
  return it != guests_.end() && is_away(it->second);
}

chat_error chat_service::limited(state& s, token_bucket& b, bool counts_for_flood) {
  const auto now = clock_.now();
  if (b.try_take(now)) return {};
  if (counts_for_flood) count_refusal(s);
  return chat_error::of(error::rate_limited, {}, {}, b.retry_after_ms(now));
}

void chat_service::count_refusal(state& s) {
  if (s.flood.refuse(clock_.now())) out_.disconnect(s.profile.id, "flooding");
}

chat_error chat_service::unknown_event(const std::string& guest_id) {
  if (state* s = find_active(guest_id)) count_refusal(*s);
  return chat_error::of(error::unknown_event);
}

chat_result<stats_snapshot> chat_service::query_stats(const std::string& guest_id) {
  state* s = find_active(guest_id);
  if (s == nullptr) return chat_result<stats_snapshot>::fail(error::not_connected);
  if (auto e = limited(*s, s->control, true); !e.code.empty()) return {std::nullopt, e};
  return chat_result<stats_snapshot>::ok(stats());
}

namespace {

/// A configured window as people say it: "5 minutes", "1 minute", "90 seconds".
std::string duration_text(std::chrono::milliseconds d) {
  const auto s = std::chrono::duration_cast<std::chrono::seconds>(d).count();
  if (s >= 60 && s % 60 == 0) return std::to_string(s / 60) + (s == 60 ? " minute" : " minutes");
  return std::to_string(s) + (s == 1 ? " second" : " seconds");
}

chat_result<match_state> no_interests_for_interests_only() {
  return chat_result<match_state>::fail(
      error::invalid_payload, "interestsOnly needs at least one interest", "interestsOnly");
}

}  // namespace

chat_result<match_state> chat_service::match(const std::string& guest_id, match_mode mode,
                                             std::optional<std::vector<std::string>> interests,
                                             std::optional<std::string> language,
                                             bool interests_only) {
  state* s = find_active(guest_id);
  if (s == nullptr) return chat_result<match_state>::fail(error::not_connected);
  if (auto e = limited(*s, s->matching, true); !e.code.empty()) return {std::nullopt, e};
  if (pairs_.room_of(guest_id)) return chat_result<match_state>::fail(error::already_in_chat);
  ticket t;
  t.guest_id = guest_id;
  t.mode = mode;
  t.interests = interests ? *interests : s->profile.interests;
  t.language = language ? *language : s->profile.language;
  if (interests_only && t.interests.empty()) return no_interests_for_interests_only();
  t.interests_only = interests_only;
  t.enqueued_at = clock_.now();
  pairs_.fill_exclusions(t);
  switch (matchmaker_.enqueue(std::move(t))) {
    case enqueue_error::none:
      // Only an accepted request replaces the profile used for matching.
      if (interests) s->profile.interests = std::move(*interests);
      if (language) s->profile.language = std::move(*language);
      break;
    case enqueue_error::queue_full:
      return chat_result<match_state>::fail(error::queue_full);
    case enqueue_error::invalid_ticket:
      return chat_result<match_state>::fail(
          error::invalid_payload,
          "too many interests (at most " + std::to_string(cfg_.matching.max_interests) + ")",
          "interests");
  }
  changed();
  run_matching();
  return chat_result<match_state>::ok(pairs_.room_of(guest_id) ? match_state::matched
                                                               : match_state::searching);
}

void chat_service::run_matching() {
  for (const auto& p : matchmaker_.match(clock_.now())) {
    const auto created = pairs_.create(p.a, p.b, p.mode);
    if (created.error != pair_error::none) continue;  // cannot happen: the matchmaker dequeued both
    state* a = find_active(p.a);
    state* b = find_active(p.b);
    if (a == nullptr || b == nullptr) continue;
    matched_event ea{created.room_id,    p.mode,    b->profile.username, b->profile.language,
                     p.common_interests, p.polite_a};
    matched_event eb{created.room_id,    p.mode,     a->profile.username, a->profile.language,
                     p.common_interests, !p.polite_a};
    a->active->room = ea;
    b->active->room = eb;
    out_.matched(p.a, ea);
    out_.matched(p.b, eb);
    changed();
  }
}

chat_result<match_state> chat_service::cancel(const std::string& guest_id) {
  if (state* s = find_active(guest_id)) {
    if (auto e = limited(*s, s->control, true); !e.code.empty()) return {std::nullopt, e};
  }
  if (matchmaker_.cancel(guest_id)) changed();
  return chat_result<match_state>::ok(pairs_.room_of(guest_id) ? match_state::matched
                                                               : match_state::idle);
}

chat_result<match_state> chat_service::next(const std::string& guest_id, match_mode mode,
                                            std::optional<std::vector<std::string>> interests,
                                            std::optional<std::string> language,
                                            bool interests_only) {
  // A request match() would refuse for its payload leaves the chat as it is.
  if (const state* s = find_active(guest_id);
      s != nullptr && interests_only && (interests ? *interests : s->profile.interests).empty()) {
    return no_interests_for_interests_only();
  }
  if (pairs_.room_of(guest_id)) end_room(guest_id, "partner_left");
  return match(guest_id, mode, std::move(interests), std::move(language), interests_only);
}

std::optional<std::chrono::milliseconds> chat_service::fallback_in(
    const std::string& guest_id) const {
  const auto at = matchmaker_.fallback_at(guest_id);
  if (!at) return std::nullopt;
  const auto now = clock_.now();
  if (*at <= now) return std::chrono::milliseconds(0);
  // Rounded up: a client counting down never reaches 0 before the server's fallback.
  return std::chrono::ceil<std::chrono::milliseconds>(*at - now);
}

void chat_service::end_room(const std::string& guest_id, std::string_view partner_reason) {
  auto room = pairs_.leave(guest_id);
  if (!room) return;
  // The chat's files go with it: their URLs stop working now, their bytes soon after.
  if (files_ != nullptr) files_->room_closed(room->id);
  // So does its call, for both (the partner that left may still show it).
  if (calls_.contains(room->id)) end_call(room->id, signal_kind::end, "chat_ended");
  const std::string& partner = room->a == guest_id ? room->b : room->a;
  const auto now = clock_.now();
  for (const auto& [id, other] : {std::pair{guest_id, partner}, std::pair{partner, guest_id}}) {
    state* s = find(id);
    if (s == nullptr) continue;
    s->last_partner.emplace(other, now);
    if (s->active) {
      s->active->room.reset();
      clear_pending(*s->active);
      s->active->partner_typing_until.reset();
    }
  }
  if (state* p = find(partner); p != nullptr && is_away(*p)) {
    // Away: keep the news for its return; its grace timer still cleans up if it never comes.
    p->ended_while_away = std::string(partner_reason);
  }
  out_.ended(partner, partner_reason);
  changed();
}

chat_result<none> chat_service::leave(const std::string& guest_id) {
  if (state* s = find_active(guest_id)) {
    if (auto e = limited(*s, s->control, true); !e.code.empty()) return {std::nullopt, e};
  }
  matchmaker_.cancel(guest_id);
  end_room(guest_id, "partner_left");
  changed();
  return chat_result<none>::ok({});
}

std::optional<std::string> chat_service::report_target(const state& s) const {
  if (auto partner = pairs_.partner_of(s.profile.id)) return partner;
  if (s.last_partner && clock_.now() - s.last_partner->second <= cfg_.report_window) {
    return s.last_partner->first;
  }
  return std::nullopt;
}

chat_result<report_outcome> chat_service::report(const std::string& guest_id,
                                                 std::string_view reason,
                                                 std::optional<std::string_view> note) {
  using R = chat_result<report_outcome>;
  state* s = find_active(guest_id);
  if (s == nullptr) return R::fail(error::not_connected);
  if (auto e = limited(*s, s->control, true); !e.code.empty()) return {std::nullopt, e};
  const auto why = parse_report_reason(reason);
  if (!why)
    return R::fail(error::invalid_payload, "reason must be " + report_reasons_text(), "reason");
  // Privacy: the note is checked like chat text and then dropped, never stored nor logged.
  if (note) {
    if (auto v = validate_report_note(*note, cfg_.max_report_note); !v) {
      return R::fail(v);
    }
  }
  const auto target = report_target(*s);
  if (!target) {
    return R::fail(error::not_in_chat,
                   "nobody to report: no chat in the last " + duration_text(cfg_.report_window));
  }

  report_outcome done{*why, pairs_.report(guest_id, *target)};
  // A waiting ticket holds a snapshot of the exclusions: it learns of the report too.
  matchmaker_.exclude(guest_id, *target);
  if (done.counted) {
    if (state* t = find(*target)) ++t->reports_received;
  }
  if (pairs_.partner_of(guest_id)) end_room(guest_id, "partner_left");
  return R::ok(done);
}

std::uint32_t chat_service::reports_received(const std::string& guest_id) const {
  const auto it = guests_.find(guest_id);
  return it == guests_.end() ? 0 : it->second.reports_received;
}

chat_result<chat_message> chat_service::send(const std::string& guest_id, std::string_view id,
                                             std::string_view text) {
  state* s = find_active(guest_id);
  if (s == nullptr) return chat_result<chat_message>::fail(error::not_connected);
  auto vid = validate_message_id(id);
  if (!vid) return chat_result<chat_message>::fail(vid);
  active_state& mine = *s->active;
  if (auto dup = mine.sent.find(vid.value); dup != mine.sent.end()) {
    // A retry: acknowledged again, relayed once.
    return chat_result<chat_message>::ok(
        {vid.value, {}, dup->second, message_type::text, std::nullopt});
  }
  auto vtext = validate_chat_text(text, cfg_.max_text);
  if (!vtext) return chat_result<chat_message>::fail(vtext);
  auto partner = pairs_.partner_of(guest_id);
  if (!partner) return chat_result<chat_message>::fail(error::not_in_chat);
  if (auto e = limited(*s, s->messages, true); !e.code.empty()) return {std::nullopt, e};

  chat_message m{vid.value, std::move(vtext.value), clock_.unix_ms(), message_type::text,
                 std::nullopt};
  relay(*partner, mine, m);
  return chat_result<chat_message>::ok(std::move(m));
}

void chat_service::relay(const std::string& partner, active_state& mine, chat_message& m) {
  remember_sent(mine, m);
  state* p = find_active(partner);
  const bool away = p != nullptr && is_away(*p);
  if (away) keep_for_return(*p->active, m);
  // Sent to the partner's connection even while it is away: a transport-level recovery
  // replays it; otherwise `pending` is delivered when the partner is back. A connection that
  // refuses it is closing before we heard of it: the partner is away in fact, so the acked
  // message is kept for its return the same way.
  if (!out_.message(partner, m) && !away && p != nullptr) keep_for_return(*p->active, m);
  if (p != nullptr) p->active->partner_typing_until.reset();
  m.text.clear();  // the ack carries id and timestamp only
  m.file.reset();
}

void chat_service::remember_sent(active_state& a, const chat_message& m) {
  if (cfg_.dedupe_window == 0) return;
  const auto [it, added] = a.sent.emplace(m.id, m.timestamp);
  if (!added) return;
  a.sent_order.push_back(&it->first);
  ++mem_.dedupe_entries;
  if (a.sent_order.size() > cfg_.dedupe_window) {
    a.sent.erase(a.sent.find(*a.sent_order.front()));
    a.sent_order.pop_front();
    --mem_.dedupe_entries;
  }
}

void chat_service::keep_for_return(active_state& a, const chat_message& m) {
  if (cfg_.max_pending_while_away == 0) return;
  if (a.pending.size() >= cfg_.max_pending_while_away) {
    a.pending.erase(a.pending.begin());
    --mem_.pending_messages;
  }
  a.pending.push_back(m);
  ++mem_.pending_messages;
}

void chat_service::clear_pending(active_state& a) {
  mem_.pending_messages -= a.pending.size();
  std::vector<chat_message>().swap(a.pending);  // the capacity goes too
}

chat_result<none> chat_service::delivered(const std::string& guest_id,
                                          const std::vector<std::string>& ids) {
  // Receipts are relayed to the partner: unbounded, they would flood it off as a slow reader.
  if (state* s = find_active(guest_id)) {
    if (auto e = limited(*s, s->receipts, true); !e.code.empty()) return {std::nullopt, e};
  }
  if (ids.empty() || ids.size() > cfg_.max_receipt_ids) {
    return chat_result<none>::fail(error::invalid_payload,
                                   "1 to " + std::to_string(cfg_.max_receipt_ids) + " message ids",
                                   "ids");
  }
  std::vector<std::string> clean;
  clean.reserve(ids.size());
  for (const auto& id : ids) {
    auto v = validate_message_id(id, "ids");
    if (!v) return chat_result<none>::fail(v);
    clean.push_back(std::move(v.value));
  }
  auto partner = pairs_.partner_of(guest_id);
  if (!partner) return chat_result<none>::fail(error::not_in_chat);
  out_.delivered(*partner, clean);
  return chat_result<none>::ok({});
}

chat_result<none> chat_service::read(const std::string& guest_id, std::string_view up_to) {
  if (state* s = find_active(guest_id)) {
    if (auto e = limited(*s, s->receipts, true); !e.code.empty()) return {std::nullopt, e};
  }
  auto v = validate_message_id(up_to, "upTo");
  if (!v) return chat_result<none>::fail(v);
  auto partner = pairs_.partner_of(guest_id);
  if (!partner) return chat_result<none>::fail(error::not_in_chat);
  out_.read(*partner, v.value);
  return chat_result<none>::ok({});
}

chat_result<none> chat_service::typing(const std::string& guest_id, bool start) {
  state* s = find_active(guest_id);
  if (s == nullptr) return chat_result<none>::fail(error::not_connected);
  auto partner = pairs_.partner_of(guest_id);
  if (!partner) return chat_result<none>::fail(error::not_in_chat);
  // Typing refusals do not count toward flooding: clients send them on every key press.
  if (auto e = limited(*s, s->typing, false); !e.code.empty()) return {std::nullopt, e};
  if (state* p = find_active(*partner)) {
    auto& until = p->active->partner_typing_until;
    if (start) {
      until = clock_.now() + cfg_.typing_timeout;
      arm(*until, timer_kind::typing, *partner);
    } else {
      until.reset();
    }
  }
  out_.typing(*partner, start);
  return chat_result<none>::ok({});
}

stats_snapshot chat_service::stats() const {
  return {mem_.online, matchmaker_.size(match_mode::text) + matchmaker_.size(match_mode::video),
          2 * pairs_.rooms()};
}

void chat_service::tick() {
  const auto now = clock_.now();
  run_matching();
  while (!timers_.empty() && std::get<0>(*timers_.begin()) <= now) {
    const auto [at, kind, id] = *timers_.begin();
    timers_.erase(timers_.begin());
    if (kind == timer_kind::ring) {
      // Keyed by room: a call that is still ringing with this deadline has rung out.
      const auto c = calls_.find(id);
      if (c != calls_.end() && c->second.at == call_state::phase::ringing &&
          c->second.ring_deadline == at) {
        end_call(id, signal_kind::timeout, "timeout");
      }
      continue;
    }
    state* s = find(id);
    if (s == nullptr) continue;
    active_state* a = s->active.get();
    if (kind == timer_kind::typing && a != nullptr && a->partner_typing_until == at) {
      a->partner_typing_until.reset();
      out_.typing(id, false);  // the partner went quiet: stop the indicator
    } else if (kind == timer_kind::grace && a != nullptr && a->away_until == at) {
      a->away_until.reset();
      --mem_.away;
      end_room(id, "partner_disconnected");
      drop_if_gone(id);
    } else if (kind == timer_kind::forget && s->forget_at == at && !s->online) {
      forget(id);
    }
  }
  if (stats_dirty_ && now >= last_stats_ + cfg_.stats_interval) {
    stats_dirty_ = false;
    const auto current = stats();
    if (!last_pushed_ || current.online != last_pushed_->online ||
        current.searching != last_pushed_->searching ||
        current.chatting != last_pushed_->chatting) {
      last_stats_ = now;
      last_pushed_ = current;
      out_.stats(current);  // only real changes reach every client
    }
  }
}

std::optional<time_point> chat_service::next_wakeup() const {
  std::optional<time_point> t = matchmaker_.next_deadline();
  const auto consider = [&t](time_point x) {
    if (!t || x < *t) t = x;
  };
  if (!timers_.empty()) consider(std::get<0>(*timers_.begin()));
  if (stats_dirty_) consider(last_stats_ + cfg_.stats_interval);
  return t;
}

}  // namespace hw::app

#pragma once
// The chat domain: who is online, who is searching, who is paired, and what flows between
// partners (messages, receipts, typing), with the disconnect grace period, per-guest rate limits
// and throttled presence statistics. Standard library only; owned by the app strand (no locks).
// It talks to the world through `chat_outbox` (typed events; the gateway turns them into wire
// events) and asks for time through `next_wakeup()` / `tick()` (the gateway arms one timer).

#include <chrono>
#include <cstdint>
#include <deque>
#include <memory>
#include <optional>
#include <set>
#include <string>
#include <string_view>
#include <tuple>
#include <unordered_map>
#include <vector>

#include "app/calls.hpp"
#include "app/errors.hpp"
#include "app/files.hpp"
#include "app/guest.hpp"
#include "app/matchmaker.hpp"
#include "app/pairs.hpp"
#include "app/ports.hpp"
#include "app/rate_limit.hpp"
#include "app/report.hpp"
#include "app/validate.hpp"

namespace hw::app {

struct chat_config {
  matchmaker_config matching;
  pairs_config pairs;
  std::chrono::milliseconds reconnect_grace{15'000};
  std::chrono::milliseconds typing_timeout{5'000};
  std::chrono::milliseconds stats_interval{1'000};
  bucket_config message_limit = message_limit_default;
  bucket_config typing_limit = typing_limit_default;
  bucket_config match_limit = match_limit_default;
  bucket_config receipt_limit = receipt_limit_default;  ///< chat:delivered, chat:read
  bucket_config control_limit = control_limit_default;  ///< stats, cancel, leave
  flood_config flood;
  std::size_t max_text = chat_text_max_default;
  std::size_t dedupe_window = 256;           ///< message ids remembered per guest
  std::size_t max_pending_while_away = 200;  ///< messages kept for a partner in its grace period
  std::size_t max_receipt_ids = 100;
  /// How long an offline guest's memory (recent partners, reports, rate limits) is kept, so a
  /// reconnect does not reset it. Bounds memory: forgotten afterwards.
  std::chrono::milliseconds retain_offline{600'000};
  /// How long after a chat ended its partner may still be reported (user:report while idle).
  std::chrono::milliseconds report_window{300'000};
  std::size_t max_report_note = report_note_max_default;  ///< code points
  calls_config calls;
  bucket_config signal_limit = signal_limit_default;  ///< webrtc:* (an ICE burst passes)
};

/// A failed call: what the client sees in its ack. `code` is the wire code of an app::error
/// (errors.hpp), empty when there is no error; it stays a string so that the gateway can put it
/// on the wire as is.
struct chat_error {
  std::string code;
  std::string message;
  std::string field;
  std::int64_t retry_after_ms = -1;

  /// The refusal `e`, with the table's message unless a more precise one is given.
  static chat_error of(app::error e, std::string_view message = {}, std::string_view field = {},
                       std::int64_t retry_after_ms = -1) {
    return {std::string(app::code(e)), std::string(message.empty() ? app::message(e) : message),
            std::string(field), retry_after_ms};
  }
};

template <class T>
struct chat_result {
  std::optional<T> value;
  chat_error error;
  static chat_result ok(T v) { return {std::move(v), {}}; }
  static chat_result fail(chat_error e) { return {std::nullopt, std::move(e)}; }
  static chat_result fail(app::error e, std::string_view message = {},
                          std::string_view field = {}) {
    return fail(chat_error::of(e, message, field));
  }
  /// A validator's refusal, passed on with its field and message.
  template <class V>
  static chat_result fail(const validated<V>& v) {
    return {std::nullopt, {v.code, v.message, v.field, -1}};
  }
};

struct none {};
struct matched_event {
  std::string room_id;
  match_mode mode = match_mode::text;
  std::string partner_username;
  std::string partner_language;
  std::vector<std::string> common_interests;
  bool polite = false;
};
/// A shared file as the recipient of a message sees it: the record's facts (never the
/// sender's word) and the recipient's own capability for the URL.
struct attachment {
  std::string file_id;
  std::string name;
  std::uint64_t size = 0;
  std::string mime;
  file_kind kind = file_kind::document;
  std::optional<std::chrono::milliseconds> duration;  ///< voice notes
  std::string capability;
};
enum class message_type { text, file, voice };
std::string_view to_string(message_type t);
struct chat_message {
  std::string id;
  std::string text;
  std::int64_t timestamp = 0;  ///< unix ms
  message_type type = message_type::text;
  std::optional<attachment> file;  ///< type file or voice
};
struct stats_snapshot {
  std::size_t online = 0;
  std::size_t searching = 0;
  std::size_t chatting = 0;
};
enum class match_state { searching, matched, idle };
/// An accepted report. `counted`: the first report of this target by this reporter (a repeat
/// is accepted but counts nowhere).
struct report_outcome {
  report_reason reason = report_reason::other;
  bool counted = false;
};

/// What the domain holds, as counts for gauges. Kept up to date as entries are added and
/// removed (O(1) per change), so reading them never scans the guests.
struct memory_counts {
  std::size_t online = 0;      ///< guests with a live connection
  std::size_t away = 0;        ///< offline guests inside their reconnect grace (still in a room)
  std::size_t remembered = 0;  ///< offline, roomless guests kept for `retain_offline`
  std::size_t dedupe_entries = 0;    ///< message ids remembered for retries, all guests
  std::size_t pending_messages = 0;  ///< messages kept for partners that are away
};

/// Events toward guests, implemented by the gateway. Calls happen on the app strand.
class chat_outbox {
 public:
  virtual ~chat_outbox() = default;
  virtual void matched(const std::string& guest, const matched_event& e) = 0;
  /// True when the message was handed to the guest's live connection. False when it could
  /// not be (the connection is closing, or gone, before the domain heard of it): the domain then
  /// keeps the message for the guest's return, as for a guest known to be away.
  virtual bool message(const std::string& guest, const chat_message& m) = 0;
  virtual void delivered(const std::string& guest, const std::vector<std::string>& ids) = 0;
  virtual void read(const std::string& guest, const std::string& up_to) = 0;
  virtual void typing(const std::string& guest, bool start) = 0;
  virtual void ended(const std::string& guest, std::string_view reason) = 0;
  virtual void partner_connection(const std::string& guest, std::string_view state) = 0;
  virtual void stats(const stats_snapshot& s) = 0;
  /// Call signaling for `guest` (relayed from its partner, or the server's end of a call).
  virtual void call(const std::string& guest, const call_signal& s) = 0;
  virtual void disconnect(const std::string& guest, std::string_view reason) = 0;
  /// The guest is offline and in no room (it disconnected while idle, or its reconnect grace
  /// ran out): nothing is sent to it any more until it connects again, so its connection need
  /// not be held. Its small remembered state may live on until gone().
  virtual void offline(const std::string& guest) = 0;
  /// The domain holds nothing more for this guest (offline, no room): drop what maps to it.
  virtual void gone(const std::string& guest) = 0;
};

class chat_service {
 public:
  /// `files` (may be null: no file sharing) learns when chats end and answers which files a
  /// message may carry; it must outlive the service and live on the same strand.
  chat_service(chat_outbox& out, const clock& clk, random& rnd, chat_config cfg = {},
               file_service* files = nullptr);

  /// A connection for `g` is live. `recovered`: the transport replayed what it missed, so
  /// messages kept during its absence are not sent again.
  void connected(const guest& g, bool recovered);
  /// The guest's live connection dropped.
  void disconnected(const std::string& guest_id);

  /// user:match. `interests`/`language` replace the profile's when given (and accepted).
  /// `interests_only`: never paired without a shared interest; refused (invalid_payload, field
  /// interestsOnly) when the guest has no interests (given, or else from its profile).
  chat_result<match_state> match(const std::string& guest_id, match_mode mode,
                                 std::optional<std::vector<std::string>> interests,
                                 std::optional<std::string> language, bool interests_only = false);
  chat_result<match_state> cancel(const std::string& guest_id);
  chat_result<match_state> next(const std::string& guest_id, match_mode mode,
                                std::optional<std::vector<std::string>> interests,
                                std::optional<std::string> language, bool interests_only = false);
  /// For a searching guest: the time until it may be paired with anyone (its fallback; zero
  /// once reached). nullopt when it is not searching or searches with interests_only.
  [[nodiscard]] std::optional<std::chrono::milliseconds> fallback_in(
      const std::string& guest_id) const;
  /// `id` and `text` are validated here (the gateway checks only JSON types).
  chat_result<chat_message> send(const std::string& guest_id, std::string_view id,
                                 std::string_view text);
  /// chat:message with a file: `type` file or voice, `file_id` the sender's own upload in this
  /// chat (else file_not_found); the partner gets the record's metadata and its own capability.
  /// Rate-limited and deduplicated like text.
  chat_result<chat_message> send_file(const std::string& guest_id, std::string_view id,
                                      message_type type, std::string_view file_id);
  /// The guest's chat and partner, for an upload (nullopt: not in a chat).
  [[nodiscard]] std::optional<std::pair<std::string, std::string>> room_and_partner(
      const std::string& guest_id) const;
  chat_result<none> delivered(const std::string& guest_id, const std::vector<std::string>& ids);
  chat_result<none> read(const std::string& guest_id, std::string_view up_to);
  chat_result<none> typing(const std::string& guest_id, bool start);
  chat_result<none> leave(const std::string& guest_id);
  /// user:report: reports the current partner (the chat ends; the partner is told
  /// partner_left, never that it was reported), or, when not in a chat, the last partner if
  /// that chat ended within `report_window`; else not_in_chat. The two are never paired again
  /// (while the reporter's memory lasts). `reason` must be a report_reason name; `note` is
  /// validated and dropped. Rate-limited with the control events.
  chat_result<report_outcome> report(const std::string& guest_id, std::string_view reason,
                                     std::optional<std::string_view> note);
  /// Reports received by the guest (each reporter counted once), kept with the guest's memory
  /// for moderation; 0 for a guest the domain does not know.
  [[nodiscard]] std::uint32_t reports_received(const std::string& guest_id) const;
  // ---- calls (chat_calls.cpp): webrtc:* between the two guests of the chat --------------
  /// webrtc:offer: starts a call (idle → ringing), renegotiates an active one, or resolves glare
  /// while ringing (the impolite side's offer wins; the polite side gets `busy`).
  chat_result<none> call_offer(const std::string& guest_id, call_type type, std::string_view sdp);
  /// webrtc:answer: the callee's answer (ringing → active), or a renegotiation's.
  chat_result<none> call_answer(const std::string& guest_id, std::string_view sdp);
  chat_result<none> call_candidate(const std::string& guest_id, ice_candidate c);
  /// webrtc:call-end: either side, ends the call for both.
  chat_result<none> call_end(const std::string& guest_id);
  /// webrtc:call-reject: the callee declines a ringing call.
  chat_result<none> call_reject(const std::string& guest_id);
  /// webrtc:video-reveal: consent to unblurred video (or withdrawing it), told to the partner.
  chat_result<none> call_reveal(const std::string& guest_id, bool reveal);
  /// The chat's call, if any (tests, gauges).
  [[nodiscard]] const call_state* call_of(const std::string& guest_id) const;
  [[nodiscard]] std::size_t calls() const { return calls_.size(); }
  [[nodiscard]] const call_counts& call_totals() const { return call_counts_; }

  /// stats:get: the presence counts, rate-limited like the other control events.
  chat_result<stats_snapshot> query_stats(const std::string& guest_id);
  /// An event the server does not know: always refused, and the refusal counts toward the
  /// flood guard (a client that keeps sending them is disconnected).
  chat_error unknown_event(const std::string& guest_id);

  [[nodiscard]] stats_snapshot stats() const;
  [[nodiscard]] const memory_counts& memory() const { return mem_; }
  /// True while the guest is offline but inside its reconnect grace period.
  [[nodiscard]] bool away(const std::string& guest_id) const;
  /// Runs what is due (matching fallbacks, typing auto-stop, grace expiry, stats push).
  void tick();
  /// When tick() must run next; nullopt when nothing is pending.
  [[nodiscard]] std::optional<time_point> next_wakeup() const;

 private:
  /// What a guest holds only while it is online or inside its reconnect grace. Dropped whole
  /// (with its heap memory) the moment the guest is offline and in no room: message-id dedupe
  /// protects retries within a connection's life and the grace period, not across an absence.
  struct active_state {
    std::optional<time_point> away_until;  ///< in a room, connection lost: grace deadline
    std::unordered_map<std::string, std::int64_t> sent;  ///< message id → timestamp
    /// Oldest first; points at the keys of `sent` (stable: the map is node-based), so an id
    /// is stored once (~100 bytes less per remembered id than a copy).
    std::deque<const std::string*> sent_order;
    std::vector<chat_message> pending;  ///< for this guest while it is away
    std::optional<matched_event> room;  ///< what it was told when matched
    std::optional<time_point> partner_typing_until;
  };
  /// A known guest. Offline and roomless, only what the product needs stays (profile, rate
  /// limits, flood guard, the news of an end it missed; its recent partners are in pairs_):
  /// a few hundred bytes, until `forget_at`.
  struct state {
    state(guest g, const chat_config& c)
        : profile(std::move(g)),
          messages(c.message_limit),
          typing(c.typing_limit),
          matching(c.match_limit),
          receipts(c.receipt_limit),
          control(c.control_limit),
          signals(c.signal_limit),
          flood(c.flood) {}
    guest profile;
    bool online = false;
    token_bucket messages;
    token_bucket typing;
    token_bucket matching;
    token_bucket receipts;
    token_bucket control;
    token_bucket signals;
    flood_guard flood;
    std::optional<std::string> ended_while_away;  ///< told on return
    std::optional<time_point> forget_at;          ///< offline and idle: forgotten then
    /// The partner of its last chat and when that chat ended: what user:report names when the
    /// guest is no longer in a chat (within report_window).
    std::optional<std::pair<std::string, time_point>> last_partner;
    std::uint32_t reports_received = 0;    ///< distinct reporters (moderation, issue 15)
    std::unique_ptr<active_state> active;  ///< online or in grace; null otherwise
  };

  state* find(const std::string& id);
  /// The guest, when it is online or inside its grace (what calls and relays need).
  state* find_active(const std::string& id);
  chat_error limited(state& s, token_bucket& b, bool counts_for_flood);
  /// A refusal that is not a rate limit but still counts toward the flood guard.
  void count_refusal(state& s);
  void keep_for_return(active_state& a, const chat_message& m);
  /// Hands an accepted message to the partner (or keeps it for its return) and remembers it.
  void relay(const std::string& partner, active_state& mine, chat_message& m);
  void remember_sent(active_state& a, const chat_message& m);
  void clear_pending(active_state& a);
  /// Ends the active part (counters follow) and tells the gateway the guest is offline.
  void deactivate(state& s);
  void set_forget_at(state& s, std::optional<time_point> at);
  [[nodiscard]] bool is_away(const state& s) const { return s.active && s.active->away_until; }
  void run_matching();
  void end_room(const std::string& guest_id, std::string_view partner_reason);
  /// The checks every webrtc:* event starts with: live guest, rate, in a chat. The room id and
  /// the partner, or the refusal.
  chat_result<std::pair<std::string, std::string>> call_context(const std::string& guest_id);
  /// The SDP as it may be relayed in this chat (privacy), or the refusal.
  chat_result<std::string> relayable_sdp(const std::string& room_id, std::string_view sdp,
                                         std::string_view field);
  [[nodiscard]] call_privacy privacy_of(const std::string& room_id) const;
  [[nodiscard]] bool is_polite(const std::string& guest_id) const;
  /// Ends the room's call, telling both (reason chat_ended / the server's timeout).
  void end_call(const std::string& room_id, signal_kind kind, std::string_view reason);
  void expire_calls();
  /// Who user:report names for the guest: its partner, or its recent last partner.
  [[nodiscard]] std::optional<std::string> report_target(const state& s) const;
  void drop_if_gone(const std::string& guest_id);
  void forget(const std::string& guest_id);
  void changed() { stats_dirty_ = true; }
  enum class timer_kind { typing, grace, forget, ring };
  void arm(time_point at, timer_kind k, const std::string& guest_id) {
    timers_.emplace(at, k, guest_id);
  }

  chat_outbox& out_;
  file_service* files_;
  const clock& clock_;
  random& random_;
  chat_config cfg_;
  matchmaker matchmaker_;
  pair_registry pairs_;
  std::unordered_map<std::string, state> guests_;
  // Deadlines (typing auto-stop, grace expiry) ordered by time; an entry whose guest state no
  // longer holds that deadline is stale and skipped, so nothing scans every guest.
  std::set<std::tuple<time_point, timer_kind, std::string>> timers_;
  std::unordered_map<std::string, call_state> calls_;  ///< by room id; absent while idle
  call_counts call_counts_;
  memory_counts mem_;
  bool stats_dirty_ = false;
  std::optional<stats_snapshot> last_pushed_;
  time_point last_stats_{};
};

}  // namespace hw::app

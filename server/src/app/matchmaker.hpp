#pragma once
// The pairing policy: who waits for whom, and who gets paired with whom. Pure data structure
// owned by the app strand; the caller feeds it tickets and the time, and arms one timer at
// next_deadline().
//
// Policy (the contract docs/protocol.md repeats):
//  * One FIFO queue per mode; tickets of different modes never pair. A guest has at most one
//    ticket; enqueueing again replaces it (it goes to the back of the queue).
//  * Never eligible: the guest itself; anyone in its recent partners or reported set; anyone
//    whose recent partners or reported set contain it (exclusions are symmetric).
//  * Otherwise A and B are eligible at time `now` when
//      (a) they share at least one interest, or
//      (b) neither has interests, or
//      (c) A or B has waited at least `fallback` (default 5 s): now − enqueued_at ≥ fallback,
//          and neither A nor B is `interests_only`.
//    So a guest with interests is, for its first `fallback`, paired only with someone sharing
//    one (or with someone who has already waited `fallback`); a guest without interests pairs
//    at once with others without interests. An `interests_only` ticket (it must have interests)
//    is paired only through (a): never on its own fallback, never on the other side's.
//  * "Same language": both gave a language and the primary subtags are equal ("en-US" and
//    "en-GB" are the same language; a missing language matches nobody's).
//  * Whose turn: match(now) gives a turn to each ticket that is new since the last call or whose
//    fallback expired since the last call (interests_only tickets have none), oldest first (age =
//    enqueued_at, then arrival order). Only such tickets can have gained a partner: after every
//    match() no two waiting tickets are eligible for each other. The ticket whose turn it is takes,
//    among the tickets eligible for it, the best of these tiers, oldest first within a tier:
//      1. shares an interest and the same language;
//      2. shares an interest;
//      3. same language;
//      4. anyone eligible.
//    Language is therefore a preference, never a requirement; interests are a requirement until
//    the fallback, then a preference.
//  * The result names the ticket whose turn it was `a` and the partner it took `b`;
//    common_interests are sorted (byte order); exactly one side is polite, chosen by the injected
//    random. Both tickets leave the queue, so a guest is never in two pairs.
//
// Complexity (n tickets in a mode, T ≤ max_interests tags per ticket): enqueue and cancel are
// O(T log n). match() costs O(P · T · (log n + s)) where P is the number of tickets new or
// expired since the last call and s the number of excluded tickets skipped at the head of an
// index (small unless many waiting guests reported the same one); it never walks the whole
// queue. Memory is O(n · T).

#include <array>
#include <chrono>
#include <cstddef>
#include <cstdint>
#include <map>
#include <optional>
#include <set>
#include <string>
#include <string_view>
#include <unordered_map>
#include <unordered_set>
#include <utility>
#include <vector>

#include "app/ports.hpp"

namespace hw::app {

enum class match_mode : std::uint8_t { text, video };

/// "text" / "video" → the mode; anything else → nullopt (case-sensitive, as on the wire).
std::optional<match_mode> parse_match_mode(std::string_view s);
std::string_view to_string(match_mode m);

/// A guest waiting for a partner. `interests` should come from validate_interests and
/// `language` from validate_language (or be empty); the exclusion sets are snapshots taken from
/// the pair registry when the guest asks to be matched. `interests_only`: paired only with
/// someone sharing an interest, however long it waits (needs at least one interest).
struct ticket {
  std::string guest_id;
  match_mode mode = match_mode::text;
  std::vector<std::string> interests;
  bool interests_only = false;
  std::string language;
  time_point enqueued_at{};
  std::unordered_set<std::string> recent_partners;
  std::unordered_set<std::string> reported;
};

/// Two guests the matchmaker paired (see the policy above for a/b and polite_a).
struct match_pair {
  std::string a;
  std::string b;
  match_mode mode = match_mode::text;
  std::vector<std::string> common_interests;
  bool polite_a = false;
};

struct matchmaker_config {
  /// How long interests are a requirement (clamped to [0, 24 h]).
  std::chrono::steady_clock::duration fallback = std::chrono::seconds(5);
  /// Waiting tickets per mode; enqueue beyond → queue_full.
  std::size_t max_tickets_per_mode = 10'000;
  /// Interests per ticket; more → invalid_ticket.
  std::size_t max_interests = 10;
};

enum class enqueue_error : std::uint8_t { none, queue_full, invalid_ticket };

/// The waiting room. Not thread-safe: owned by the app strand. `random` must outlive it.
class matchmaker {
 public:
  explicit matchmaker(random& r, matchmaker_config cfg = {});

  /// Adds (or replaces) the guest's ticket. Refused: empty guest id, too many interests, or
  /// interests_only without interests (invalid_ticket); the target mode's queue is full and the
  /// guest is not already waiting in it (queue_full). A refused enqueue leaves any previous ticket
  /// of the guest untouched. Duplicate interests are dropped. Call match() afterwards.
  enqueue_error enqueue(ticket t);
  /// Removes the guest's ticket; false if it had none.
  bool cancel(std::string_view guest_id);
  /// Adds `other` to the reported set of the guest's waiting ticket (a report made while it
  /// waits), so that the two are kept apart from now on; false if it has no ticket.
  bool exclude(std::string_view guest_id, const std::string& other);
  [[nodiscard]] bool queued(std::string_view guest_id) const;
  [[nodiscard]] std::optional<match_mode> mode_of(std::string_view guest_id) const;
  /// When the guest's waiting ticket reaches its fallback (enqueued_at + fallback), from which
  /// it may be paired with anyone; nullopt when it is not waiting or is interests_only.
  [[nodiscard]] std::optional<time_point> fallback_at(std::string_view guest_id) const;

  /// Forms every pair the policy allows at `now`, in turn order. `now` is clamped to be
  /// non-decreasing across calls.
  std::vector<match_pair> match(time_point now);

  /// When match() should next be called: the earliest enqueued_at of a ticket that has not had
  /// its first turn yet (i.e. "now" after an enqueue), else the earliest instant a waiting
  /// ticket reaches its fallback; nullopt when nothing is waiting for a turn.
  [[nodiscard]] std::optional<time_point> next_deadline() const;

  [[nodiscard]] std::size_t size(match_mode m) const;

 private:
  struct key {
    time_point at;
    std::uint64_t seq = 0;
    // Spelled out rather than a defaulted <=>, which trips clang-tidy's modernize-use-nullptr.
    bool operator==(const key& o) const { return at == o.at && seq == o.seq; }
    bool operator<(const key& o) const { return at != o.at ? at < o.at : seq < o.seq; }
  };
  struct entry {
    ticket t;
    key k;
    std::string lang;  // primary language subtag, lower case; empty when none
  };
  using key_set = std::set<key>;
  using index = std::map<std::string, key_set, std::less<>>;
  struct queue {
    std::map<key, entry> entries;  // age order: the FIFO itself
    key_set no_interests;
    index by_tag;
    index no_interests_by_lang;
    index by_tag_lang;  // key: tag_lang_key(tag, lang)
    // Tickets that may ever pair without a shared interest (all but interests_only ones): the
    // only candidates of tiers 3 and 4, so an interests_only ticket is never taken there.
    key_set may_fall_back;
    index may_fall_back_by_lang;
  };

  queue& queue_of(match_mode m) { return queues_.at(static_cast<std::size_t>(m)); }
  void insert(queue& q, entry e, match_mode m);
  void remove(queue& q, const key& k);
  [[nodiscard]] bool open(const entry& e, time_point now) const;
  [[nodiscard]] const entry* best_for(const queue& q, const entry& a, time_point now) const;
  const entry* first_usable(const queue& q, const entry& a, const key_set& r) const;

  random& random_;
  matchmaker_config cfg_;
  std::array<queue, 2> queues_;
  std::unordered_map<std::string, std::pair<match_mode, key>> where_;
  std::map<key, match_mode> pending_;  // tickets owed a turn
  // Tickets whose fallback has not expired (yet); interests_only ones never open, so they are
  // never here.
  std::map<key, match_mode> unopened_;
  std::uint64_t next_seq_ = 0;
  time_point last_now_{};
};

}  // namespace hw::app

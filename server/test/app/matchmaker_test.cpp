#include "app/matchmaker.hpp"

#include <gtest/gtest.h>

#include <algorithm>
#include <map>
#include <set>
#include <string>
#include <vector>

#include "app/pairs.hpp"
#include "app/testing.hpp"

namespace hw::app {
namespace {

using std::chrono::milliseconds;
using std::chrono::seconds;
using strings = std::vector<std::string>;

class AppMatchmaker : public ::testing::Test {
 protected:
  ticket make(const std::string& id, strings interests = {}, const std::string& lang = "",
              match_mode mode = match_mode::text) {
    ticket t;
    t.guest_id = id;
    t.mode = mode;
    t.interests = std::move(interests);
    t.language = lang;
    t.enqueued_at = clk.now();
    return t;
  }
  // Enqueues and runs the matcher, as the gateway does on user:match.
  std::vector<match_pair> add(ticket t) {
    EXPECT_EQ(mm.enqueue(std::move(t)), enqueue_error::none);
    return mm.match(clk.now());
  }
  std::vector<match_pair> add(const std::string& id, strings interests = {},
                              const std::string& lang = "") {
    return add(make(id, std::move(interests), lang));
  }
  std::vector<match_pair> run() { return mm.match(clk.now()); }
  static ticket only(ticket t) {
    t.interests_only = true;
    return t;
  }
  // A ticket that will never pair with any of `others` (it reported them).
  ticket apart(const std::string& id, const strings& others, strings interests = {},
               const std::string& lang = "") {
    ticket t = make(id, std::move(interests), lang);
    t.reported.insert(others.begin(), others.end());
    return t;
  }

  manual_clock clk;
  seeded_random rnd{1};
  matchmaker mm{rnd};
};

void expect_pair(const std::vector<match_pair>& got, const std::string& a, const std::string& b,
                 const strings& common = {}) {
  ASSERT_EQ(got.size(), 1U);
  EXPECT_EQ(got[0].a, a);
  EXPECT_EQ(got[0].b, b);
  EXPECT_EQ(got[0].common_interests, common);
}

TEST(AppMatchMode, ParsesTheWireNames) {
  EXPECT_EQ(parse_match_mode("text"), match_mode::text);
  EXPECT_EQ(parse_match_mode("video"), match_mode::video);
  EXPECT_EQ(parse_match_mode("Text"), std::nullopt);
  EXPECT_EQ(parse_match_mode(""), std::nullopt);
  EXPECT_EQ(parse_match_mode("audio"), std::nullopt);
  EXPECT_EQ(to_string(match_mode::text), "text");
  EXPECT_EQ(to_string(match_mode::video), "video");
}

TEST_F(AppMatchmaker, TwoGuestsWithoutInterestsPairAtOnce) {
  EXPECT_TRUE(add("A").empty());
  EXPECT_TRUE(mm.queued("A"));
  expect_pair(add("B"), "B", "A");  // the newcomer has the turn and takes the waiting one
  EXPECT_FALSE(mm.queued("A"));
  EXPECT_FALSE(mm.queued("B"));
  EXPECT_EQ(mm.size(match_mode::text), 0U);
  EXPECT_EQ(mm.next_deadline(), std::nullopt);
}

TEST_F(AppMatchmaker, NeverPairsAGuestWithItself) {
  EXPECT_TRUE(add("A").empty());
  EXPECT_TRUE(add("A", {"music"}).empty());  // re-enqueue replaces, never duplicates
  EXPECT_EQ(mm.size(match_mode::text), 1U);
  for (int i = 0; i < 20; ++i) {
    clk.advance(seconds(30));
    EXPECT_TRUE(run().empty());
  }
  EXPECT_TRUE(mm.queued("A"));
}

TEST_F(AppMatchmaker, SharedInterestPairsAtOnceWithSortedCommonInterests) {
  EXPECT_TRUE(add("A", {"zoo", "music", "art"}).empty());
  expect_pair(add("B", {"music", "cats", "zoo"}), "B", "A", {"music", "zoo"});
}

TEST_F(AppMatchmaker, DisjointInterestsWaitForTheFallback) {
  const auto t0 = clk.now();
  EXPECT_TRUE(add("A", {"music"}).empty());
  EXPECT_EQ(mm.next_deadline(), t0 + seconds(5));
  clk.advance(seconds(1));
  EXPECT_TRUE(add("B", {"chess"}).empty());
  EXPECT_EQ(mm.next_deadline(), t0 + seconds(5));  // A's fallback comes first
  clk.advance(milliseconds(3999));                 // t0 + 4.999 s
  EXPECT_TRUE(run().empty());
  clk.advance(milliseconds(1));  // t0 + 5 s exactly
  expect_pair(run(), "A", "B");  // A's fallback expired: its turn, B is eligible now
  EXPECT_EQ(mm.next_deadline(), std::nullopt);
}

TEST_F(AppMatchmaker, SameLanguageAloneDoesNotBeatTheInterestWindow) {
  EXPECT_TRUE(add("A", {"music"}, "en").empty());
  clk.advance(seconds(1));
  EXPECT_TRUE(add("B", {"chess"}, "en").empty());
  clk.advance(milliseconds(3999));
  EXPECT_TRUE(run().empty());
  clk.advance(milliseconds(1));
  expect_pair(run(), "A", "B");
}

TEST_F(AppMatchmaker, AGuestWhoWaitedTakesANewcomerAtOnce) {
  EXPECT_TRUE(add("A", {"music"}).empty());
  clk.advance(seconds(5));
  EXPECT_TRUE(run().empty());  // A's fallback: nobody there
  EXPECT_EQ(mm.next_deadline(), std::nullopt);
  clk.advance(seconds(1));
  expect_pair(add("B", {"chess"}), "B", "A");  // B has interests but A already waited 5 s
}

TEST_F(AppMatchmaker, GuestWithoutInterestsWaitsForAnInterestedOnesWindow) {
  const auto t0 = clk.now();
  EXPECT_TRUE(add("S", {"music"}).empty());
  clk.advance(seconds(2));
  EXPECT_TRUE(add("N").empty());  // N has no interests, S still wants music
  EXPECT_EQ(mm.next_deadline(), t0 + seconds(5));
  clk.advance(milliseconds(2999));
  EXPECT_TRUE(run().empty());
  clk.advance(milliseconds(1));
  expect_pair(run(), "S", "N");
}

TEST_F(AppMatchmaker, InterestedGuestWaitsForAnEarlierGuestWithoutInterests) {
  const auto t0 = clk.now();
  EXPECT_TRUE(add("N").empty());
  clk.advance(seconds(1));
  EXPECT_TRUE(add("S", {"music"}).empty());
  EXPECT_EQ(mm.next_deadline(), t0 + seconds(5));  // N's fallback
  clk.advance(milliseconds(3999));
  EXPECT_TRUE(run().empty());
  clk.advance(milliseconds(1));
  expect_pair(run(), "N", "S");
}

TEST_F(AppMatchmaker, SharedInterestBeatsAnOlderFallbackCandidate) {
  EXPECT_TRUE(add("OLD", {"cats"}).empty());
  clk.advance(seconds(5));
  EXPECT_TRUE(run().empty());
  EXPECT_TRUE(add(apart("FAN", {"OLD"}, {"music"})).empty());  // kept apart from OLD
  clk.advance(seconds(1));
  // NEW could take OLD (who has waited 5 s) but prefers FAN, who shares an interest.
  expect_pair(add("NEW", {"music", "dogs"}), "NEW", "FAN", {"music"});
  EXPECT_TRUE(mm.queued("OLD"));
}

TEST_F(AppMatchmaker, SameLanguagePreferredAmongSharedInterests) {
  EXPECT_TRUE(add("FR", {"music"}, "fr").empty());
  clk.advance(seconds(1));
  EXPECT_TRUE(add(apart("EN", {"FR"}, {"music"}, "en-US")).empty());
  clk.advance(seconds(1));
  // Tier 1 (interest + language) beats tier 2 (interest only) even though FR is older.
  expect_pair(add("NEW", {"music"}, "en-GB"), "NEW", "EN", {"music"});
  // Without a language, the oldest sharing ticket wins.
  expect_pair(add("NEW2", {"music"}), "NEW2", "FR", {"music"});
}

TEST_F(AppMatchmaker, SameLanguagePreferredAmongGuestsWithoutInterests) {
  EXPECT_TRUE(add("FR", {}, "fr").empty());
  EXPECT_TRUE(add(apart("EN", {"FR"}, {}, "EN-us")).empty());
  EXPECT_TRUE(add(apart("DE", {"FR", "EN"}, {}, "de")).empty());
  expect_pair(add("NEW", {}, "en-GB"), "NEW", "EN");  // same primary language
  expect_pair(add("X", {}, "ja"), "X", "FR");         // no language match: oldest
  expect_pair(add("Y", {}, ""), "Y", "DE");           // no language given: oldest left
}

TEST_F(AppMatchmaker, InterestBeatsLanguage) {
  EXPECT_TRUE(add("LANG", {}, "en").empty());
  EXPECT_TRUE(add(apart("INT", {"LANG"}, {"music"}, "fr")).empty());
  // NEW has interests; LANG is not eligible (window), INT is: interest, not language, decides.
  expect_pair(add("NEW", {"music"}, "en"), "NEW", "INT", {"music"});
}

TEST_F(AppMatchmaker, LanguagePreferredAfterTheFallback) {
  EXPECT_TRUE(add("A", {"cats"}, "en").empty());
  clk.advance(milliseconds(1));
  EXPECT_TRUE(add("B", {"dogs"}, "de").empty());
  clk.advance(milliseconds(1));
  EXPECT_TRUE(add("C", {"fish"}, "en-AU").empty());
  clk.advance(milliseconds(4998));  // A's fallback: A's turn, everyone is eligible for A
  expect_pair(run(), "A", "C");     // same language beats the older B
  EXPECT_TRUE(mm.queued("B"));
}

TEST_F(AppMatchmaker, FifoAmongEquallyGoodCandidates) {
  EXPECT_TRUE(add("A").empty());
  EXPECT_TRUE(add(apart("B", {"A"})).empty());
  EXPECT_TRUE(add(apart("C", {"A", "B"})).empty());
  expect_pair(add("N1"), "N1", "A");
  expect_pair(add("N2"), "N2", "B");
  expect_pair(add("N3"), "N3", "C");
}

TEST_F(AppMatchmaker, OldestSharingTicketWinsAcrossTags) {
  EXPECT_TRUE(add("X", {"b"}).empty());
  EXPECT_TRUE(add(apart("Y", {"X"}, {"a"})).empty());
  // N lists "a" first, but the tie within tier 2 goes to the oldest ticket, X.
  expect_pair(add("N", {"a", "b"}), "N", "X", {"b"});
}

TEST_F(AppMatchmaker, BatchedEnqueuesTakeTurnsOldestFirst) {
  for (const char* id : {"A", "B", "C", "D", "E"}) {
    ASSERT_EQ(mm.enqueue(make(id)), enqueue_error::none);
    clk.advance(milliseconds(10));
  }
  EXPECT_EQ(mm.next_deadline(), clk.now() - milliseconds(50));  // A is owed a turn already
  const auto pairs = run();
  ASSERT_EQ(pairs.size(), 2U);
  EXPECT_EQ(pairs[0].a, "A");
  EXPECT_EQ(pairs[0].b, "B");
  EXPECT_EQ(pairs[1].a, "C");
  EXPECT_EQ(pairs[1].b, "D");
  EXPECT_TRUE(mm.queued("E"));
}

class AppMatchmakerExclusion : public AppMatchmaker,
                               public ::testing::WithParamInterface<std::tuple<bool, bool>> {};

TEST_P(AppMatchmakerExclusion, NeverPairedEvenAfterTheFallback) {
  const auto [by_report, from_a] = GetParam();
  ticket a = make("A", {"music"});
  ticket b = make("B", {"music"});
  auto& set = from_a ? (by_report ? a.reported : a.recent_partners)
                     : (by_report ? b.reported : b.recent_partners);
  set.insert(from_a ? "B" : "A");
  EXPECT_TRUE(add(a).empty());
  EXPECT_TRUE(add(b).empty());
  for (int i = 0; i < 10; ++i) {
    clk.advance(seconds(10));
    EXPECT_TRUE(run().empty());
  }
  // Anyone else still pairs with them.
  expect_pair(add("C", {"music"}), "C", "A", {"music"});
  expect_pair(add("D"), "D", "B");
}

INSTANTIATE_TEST_SUITE_P(App, AppMatchmakerExclusion,
                         ::testing::Combine(::testing::Bool(), ::testing::Bool()));

TEST_F(AppMatchmaker, ModesNeverMix) {
  EXPECT_TRUE(add(make("T", {}, "", match_mode::text)).empty());
  EXPECT_TRUE(add(make("V", {}, "", match_mode::video)).empty());
  clk.advance(seconds(60));
  EXPECT_TRUE(run().empty());
  EXPECT_EQ(mm.size(match_mode::text), 1U);
  EXPECT_EQ(mm.size(match_mode::video), 1U);
  EXPECT_EQ(mm.mode_of("V"), match_mode::video);
  const auto p = add(make("V2", {}, "", match_mode::video));
  ASSERT_EQ(p.size(), 1U);
  EXPECT_EQ(p[0].mode, match_mode::video);
  EXPECT_EQ(p[0].b, "V");
}

TEST_F(AppMatchmaker, ReEnqueueReplacesTheTicketAndRestartsItsWait) {
  const auto t0 = clk.now();
  EXPECT_TRUE(add("A", {"music"}).empty());
  clk.advance(seconds(4));
  EXPECT_TRUE(add("A", {"chess"}).empty());
  EXPECT_EQ(mm.next_deadline(), t0 + seconds(9));
  EXPECT_TRUE(add("B", {"music"}).empty());  // A no longer likes music
  expect_pair(add("C", {"chess"}), "C", "A", {"chess"});
  // Switching modes moves the ticket.
  EXPECT_TRUE(add(make("B", {"music"}, "", match_mode::video)).empty());
  EXPECT_EQ(mm.size(match_mode::text), 0U);
  EXPECT_EQ(mm.mode_of("B"), match_mode::video);
}

TEST_F(AppMatchmaker, CancelLeavesTheQueue) {
  EXPECT_TRUE(add("A", {"music"}).empty());
  EXPECT_TRUE(mm.cancel("A"));
  EXPECT_FALSE(mm.cancel("A"));
  EXPECT_FALSE(mm.cancel("nobody"));
  EXPECT_FALSE(mm.queued("A"));
  EXPECT_EQ(mm.next_deadline(), std::nullopt);
  EXPECT_TRUE(add("B", {"music"}).empty());
  EXPECT_TRUE(mm.queued("B"));
}

TEST_F(AppMatchmaker, NextDeadlineFollowsTheOldestUnexpiredTicket) {
  const auto t0 = clk.now();
  EXPECT_EQ(mm.next_deadline(), std::nullopt);
  ASSERT_EQ(mm.enqueue(make("A", {"a"})), enqueue_error::none);
  EXPECT_EQ(mm.next_deadline(), t0);  // owed a first turn
  EXPECT_TRUE(run().empty());
  EXPECT_EQ(mm.next_deadline(), t0 + seconds(5));
  clk.advance(seconds(2));
  EXPECT_TRUE(add("B", {"b"}, "").empty());
  EXPECT_EQ(mm.next_deadline(), t0 + seconds(5));
  EXPECT_TRUE(mm.cancel("A"));
  EXPECT_EQ(mm.next_deadline(), t0 + seconds(7));
  clk.advance(seconds(5));
  EXPECT_TRUE(run().empty());
  EXPECT_EQ(mm.next_deadline(), std::nullopt);  // B alone, already past its fallback
}

TEST_F(AppMatchmaker, ConfigurableFallback) {
  matchmaker quick(rnd, {.fallback = seconds(2)});
  ticket a = make("A", {"x"});
  ticket b = make("B", {"y"});
  ASSERT_EQ(quick.enqueue(a), enqueue_error::none);
  ASSERT_EQ(quick.enqueue(b), enqueue_error::none);
  EXPECT_TRUE(quick.match(clk.now()).empty());
  EXPECT_EQ(quick.next_deadline(), clk.now() + seconds(2));
  clk.advance(seconds(2));
  EXPECT_EQ(quick.match(clk.now()).size(), 1U);

  matchmaker instant(rnd, {.fallback = seconds(0)});
  ASSERT_EQ(instant.enqueue(make("A", {"x"})), enqueue_error::none);
  ASSERT_EQ(instant.enqueue(make("B", {"y"})), enqueue_error::none);
  EXPECT_EQ(instant.match(clk.now()).size(), 1U);

  matchmaker negative(rnd, {.fallback = seconds(-5)});  // clamped to 0
  ASSERT_EQ(negative.enqueue(make("A", {"x"})), enqueue_error::none);
  ASSERT_EQ(negative.enqueue(make("B", {"y"})), enqueue_error::none);
  EXPECT_EQ(negative.match(clk.now()).size(), 1U);
}

TEST_F(AppMatchmaker, QueueIsBoundedPerMode) {
  matchmaker small(rnd, {.max_tickets_per_mode = 3});
  for (const char* id : {"A", "B", "C"})
    ASSERT_EQ(small.enqueue(make(id, {id})), enqueue_error::none);
  EXPECT_EQ(small.enqueue(make("D", {"D"})), enqueue_error::queue_full);
  EXPECT_FALSE(small.queued("D"));
  EXPECT_EQ(small.enqueue(make("B", {"other"})), enqueue_error::none);  // replacing is fine
  EXPECT_EQ(small.enqueue(make("V", {}, "", match_mode::video)), enqueue_error::none);
  // Moving into a full queue is refused and keeps the old ticket.
  ASSERT_EQ(small.enqueue(make("W", {}, "", match_mode::video)), enqueue_error::none);
  ASSERT_EQ(small.enqueue(make("X", {}, "", match_mode::video)), enqueue_error::none);
  EXPECT_EQ(small.enqueue(make("A", {}, "", match_mode::video)), enqueue_error::queue_full);
  EXPECT_EQ(small.mode_of("A"), match_mode::text);
  EXPECT_TRUE(small.cancel("C"));
  EXPECT_EQ(small.enqueue(make("D", {"D"})), enqueue_error::none);
}

TEST_F(AppMatchmaker, InvalidTicketsAreRefused) {
  EXPECT_EQ(mm.enqueue(make("")), enqueue_error::invalid_ticket);
  strings many;
  for (int i = 0; i < 11; ++i)
    many.push_back("t" + std::to_string(i));
  EXPECT_EQ(mm.enqueue(make("A", many)), enqueue_error::invalid_ticket);
  EXPECT_FALSE(mm.queued("A"));
  many.pop_back();
  EXPECT_EQ(mm.enqueue(make("A", many)), enqueue_error::none);
}

// ---- interests only ----------------------------------------------------------------------------

TEST_F(AppMatchmaker, InterestsOnlyNeedsAnInterest) {
  ticket t = make("A");
  t.interests_only = true;
  EXPECT_EQ(mm.enqueue(t), enqueue_error::invalid_ticket);
  EXPECT_FALSE(mm.queued("A"));
  t.interests = {"music"};
  EXPECT_EQ(mm.enqueue(t), enqueue_error::none);
}

TEST_F(AppMatchmaker, InterestsOnlyNeverFallsBackOnItsOwnWait) {
  const auto t0 = clk.now();
  EXPECT_TRUE(add(only(make("A", {"music"}))).empty());
  EXPECT_EQ(mm.next_deadline(), std::nullopt);  // no fallback to wait for
  clk.advance(seconds(1));
  EXPECT_TRUE(add("B", {"chess"}).empty());
  EXPECT_EQ(mm.next_deadline(), t0 + seconds(6));  // B's fallback only
  clk.advance(seconds(5));
  EXPECT_TRUE(run().empty());  // B's turn on its fallback: A is not for B
  for (int i = 0; i < 10; ++i) {
    clk.advance(std::chrono::minutes(1));
    EXPECT_TRUE(run().empty());
  }
  EXPECT_TRUE(mm.queued("A"));
  EXPECT_TRUE(mm.queued("B"));
  EXPECT_EQ(mm.next_deadline(), std::nullopt);
}

TEST_F(AppMatchmaker, InterestsOnlyIsNotTakenByANewcomerAfterAnyFallback) {
  EXPECT_TRUE(add(only(make("A", {"music"}, "en"))).empty());
  clk.advance(seconds(30));
  EXPECT_TRUE(run().empty());
  // Newcomers without a shared interest: same language and no interests (its own fallback
  // passes), then one with interests who finds an older, open candidate.
  EXPECT_TRUE(add("N", {}, "en").empty());
  clk.advance(seconds(5));
  EXPECT_TRUE(run().empty());                           // N's fallback: A is still not for N
  expect_pair(add("C", {"chess"}, "en-GB"), "C", "N");  // C may take N, who waited; never A
  EXPECT_TRUE(mm.queued("A"));
}

TEST_F(AppMatchmaker, InterestsOnlyPairsAtOnceOnASharedInterestEitherWay) {
  EXPECT_TRUE(add("W", {"music"}).empty());
  expect_pair(add(only(make("A", {"chess", "music"}))), "A", "W", {"music"});
  EXPECT_TRUE(add(only(make("B", {"cats"}))).empty());
  expect_pair(add("C", {"cats", "dogs"}), "C", "B", {"cats"});
}

TEST_F(AppMatchmaker, AnInterestsOnlyTicketAheadDoesNotHideAnEligibleOne) {
  // Oldest first in the FIFO is X (interests only); Y behind it may fall back. A newcomer with
  // nothing in common must still find Y after the fallback, in the language tier and the last.
  EXPECT_TRUE(add(only(make("X", {"a"}, "en"))).empty());
  EXPECT_TRUE(add("Y", {"b"}, "en").empty());
  clk.advance(seconds(5));
  EXPECT_TRUE(run().empty());
  expect_pair(add("N", {"c"}, "en"), "N", "Y");
  EXPECT_TRUE(add("Z", {"d"}).empty());
  clk.advance(seconds(5));
  EXPECT_TRUE(run().empty());  // Z's turn: X is not for it and nobody else waits
  expect_pair(add("M", {"e"}, "fr"), "M", "Z");
  EXPECT_TRUE(mm.queued("X"));
}

TEST_F(AppMatchmaker, FallbackAtIsTheTicketsFallbackOrNoneForInterestsOnly) {
  const auto t0 = clk.now();
  EXPECT_EQ(mm.fallback_at("A"), std::nullopt);
  EXPECT_TRUE(add("A", {"x"}).empty());
  EXPECT_EQ(mm.fallback_at("A"), t0 + seconds(5));
  clk.advance(seconds(2));
  EXPECT_TRUE(add("A", {"x"}).empty());  // a new request restarts the wait
  EXPECT_EQ(mm.fallback_at("A"), t0 + seconds(7));
  EXPECT_TRUE(add(only(make("B", {"y"}))).empty());
  EXPECT_EQ(mm.fallback_at("B"), std::nullopt);
  EXPECT_TRUE(add("B", {"y"}).empty());  // switched the switch off: the fallback is back
  EXPECT_EQ(mm.fallback_at("B"), t0 + seconds(7));
  EXPECT_TRUE(mm.cancel("A"));
  EXPECT_EQ(mm.fallback_at("A"), std::nullopt);
}

TEST_F(AppMatchmaker, ExcludeKeepsAWaitingTicketApartFromNowOn) {
  EXPECT_FALSE(mm.exclude("A", "B"));  // no ticket
  EXPECT_TRUE(add("A", {"x"}).empty());
  EXPECT_TRUE(mm.exclude("A", "B"));
  EXPECT_TRUE(add("B", {"x"}).empty());  // shares an interest, yet stays apart
  clk.advance(seconds(30));
  EXPECT_TRUE(run().empty());
  expect_pair(add("C", {"x"}), "C", "A", {"x"});  // A itself still pairs with others
}

TEST_F(AppMatchmaker, DuplicateInterestsAreHarmless) {
  EXPECT_TRUE(add("A", {"x", "x", "y", "x"}).empty());
  expect_pair(add("B", {"y", "x", "y"}), "B", "A", {"x", "y"});
}

TEST_F(AppMatchmaker, ExactlyOneSideIsPoliteAndBothSidesOccur) {
  int polite_a = 0;
  for (int i = 0; i < 200; ++i) {
    EXPECT_TRUE(add("A" + std::to_string(i)).empty());
    const auto p = add("B" + std::to_string(i));
    ASSERT_EQ(p.size(), 1U);
    polite_a += p[0].polite_a ? 1 : 0;
  }
  EXPECT_GT(polite_a, 60);
  EXPECT_LT(polite_a, 140);
}

TEST_F(AppMatchmaker, TimeNeverRunsBackwards) {
  EXPECT_TRUE(add("A", {"x"}).empty());
  const auto t0 = clk.now();
  clk.advance(seconds(6));
  EXPECT_TRUE(run().empty());
  ticket b = make("B", {"y"});
  ASSERT_EQ(mm.enqueue(b), enqueue_error::none);
  // A stale `now` is treated as the latest one seen: A still counts as having waited.
  expect_pair(mm.match(t0), "B", "A");
}

TEST_F(AppMatchmaker, LargeQueuePairsThroughTheIndexes) {
  // 5 000 waiting guests with distinct interests, then 5 000 newcomers each sharing one tag.
  for (int i = 0; i < 5000; ++i)
    ASSERT_TRUE(add("w" + std::to_string(i), {"tag" + std::to_string(i)}, "en").empty());
  std::size_t paired = 0;
  for (int i = 4999; i >= 0; --i) {
    const auto p = add("n" + std::to_string(i), {"tag" + std::to_string(i), "zzz"}, "fr");
    ASSERT_EQ(p.size(), 1U);
    EXPECT_EQ(p[0].b, "w" + std::to_string(i));
    ++paired;
  }
  EXPECT_EQ(paired, 5000U);
  EXPECT_EQ(mm.size(match_mode::text), 0U);
}

// ---- randomized stress against a brute-force model of the documented policy ----------------

// The policy written the slow, obvious way: O(n) per candidate, O(n²) per turn.
class reference_matchmaker {
 public:
  explicit reference_matchmaker(std::chrono::steady_clock::duration fallback)
      : fallback_(fallback) {}

  void enqueue(const ticket& t) {
    cancel(t.guest_id);
    // An interests_only ticket has no fallback, so no turn is owed to it when one passes.
    tickets_.push_back({t, seq_++, true, !t.interests_only});
  }
  void cancel(const std::string& id) {
    std::erase_if(tickets_, [&](const item& i) { return i.t.guest_id == id; });
  }
  [[nodiscard]] bool queued(const std::string& id) const {
    return std::any_of(tickets_.begin(), tickets_.end(),
                       [&](const item& i) { return i.t.guest_id == id; });
  }

  std::vector<match_pair> match(time_point now) {
    now = std::max(now, last_);
    last_ = now;
    for (auto& i : tickets_) {
      if (i.unopened && open(i, now)) {
        i.unopened = false;
        i.pending = true;
      }
    }
    std::vector<match_pair> out;
    for (;;) {
      item* a = nullptr;
      for (auto& i : tickets_) {
        if (i.pending && (a == nullptr || older(i, *a))) a = &i;
      }
      if (a == nullptr) break;
      a->pending = false;
      const item* best = nullptr;
      int best_tier = 5;
      for (const auto& c : tickets_) {
        if (&c == a || !eligible(*a, c, now)) continue;
        const int tier = rank(*a, c);
        if (tier < best_tier || (tier == best_tier && older(c, *best))) {
          best = &c;
          best_tier = tier;
        }
      }
      if (best == nullptr) continue;
      match_pair p;
      p.a = a->t.guest_id;
      p.b = best->t.guest_id;
      p.mode = a->t.mode;
      for (const auto& tag : a->t.interests) {
        if (std::count(best->t.interests.begin(), best->t.interests.end(), tag) > 0 &&
            std::count(p.common_interests.begin(), p.common_interests.end(), tag) == 0)
          p.common_interests.push_back(tag);
      }
      std::sort(p.common_interests.begin(), p.common_interests.end());
      out.push_back(p);
      cancel(p.a);
      cancel(p.b);
    }
    return out;
  }

  // After match(now): no two waiting tickets may be eligible for each other.
  [[nodiscard]] bool settled(time_point now) const {
    for (const auto& x : tickets_) {
      for (const auto& y : tickets_) {
        if (&x != &y && eligible(x, y, now)) return false;
      }
    }
    return true;
  }

 private:
  struct item {
    ticket t;
    std::uint64_t seq;
    bool pending;
    bool unopened;
  };
  static bool older(const item& x, const item& y) {
    return x.t.enqueued_at != y.t.enqueued_at ? x.t.enqueued_at < y.t.enqueued_at : x.seq < y.seq;
  }
  bool open(const item& i, time_point now) const {
    return now >= i.t.enqueued_at && now - i.t.enqueued_at >= fallback_;
  }
  static bool shares(const item& x, const item& y) {
    for (const auto& tag : x.t.interests) {
      if (std::count(y.t.interests.begin(), y.t.interests.end(), tag) > 0) return true;
    }
    return false;
  }
  static bool same_language(const item& x, const item& y) {
    const auto px = primary_of(x.t.language);
    return !px.empty() && px == primary_of(y.t.language);
  }
  static std::string primary_of(const std::string& tag) {
    std::string p = tag.substr(0, tag.find('-'));
    for (char& c : p)
      c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    return p;
  }
  static bool excluded(const item& x, const item& y) {
    const auto has = [](const ticket& t, const std::string& id) {
      return t.recent_partners.contains(id) || t.reported.contains(id);
    };
    return has(x.t, y.t.guest_id) || has(y.t, x.t.guest_id);
  }
  bool eligible(const item& x, const item& y, time_point now) const {
    if (x.t.mode != y.t.mode || x.t.guest_id == y.t.guest_id || excluded(x, y)) return false;
    if (shares(x, y)) return true;
    if (x.t.interests_only || y.t.interests_only) return false;
    return (x.t.interests.empty() && y.t.interests.empty()) || open(x, now) || open(y, now);
  }
  static int rank(const item& a, const item& c) {
    const bool s = shares(a, c);
    const bool l = same_language(a, c);
    return s && l ? 1 : s ? 2 : l ? 3 : 4;
  }

  std::chrono::steady_clock::duration fallback_;
  std::vector<item> tickets_;
  std::uint64_t seq_ = 0;
  time_point last_{};
};

// (seed, number of distinct guests, bursty): few guests exercise re-enqueues and exclusions,
// many guests grow the queue; bursty runs enqueue several tickets between match() calls and let
// little time pass, so many tickets take turns in one call.
class AppMatchmakerStress
    : public ::testing::TestWithParam<std::tuple<std::uint64_t, std::uint64_t, bool>> {};

TEST_P(AppMatchmakerStress, RandomOperationsMatchTheModelAndPairsAreDisjoint) {
  const auto [seed, population, bursty] = GetParam();
  // Thresholds on a 0–99 draw: enqueue, cancel, leave, report; the rest is match().
  const std::uint64_t t_enqueue = bursty ? 70 : 40;
  const std::uint64_t t_cancel = t_enqueue + (bursty ? 5 : 10);
  const std::uint64_t t_leave = t_cancel + (bursty ? 10 : 8);
  const std::uint64_t t_report = t_leave + (bursty ? 2 : 4);
  const std::uint64_t max_step_ms = bursty ? 300 : 1500;
  manual_clock clk;
  seeded_random mm_random(seed + 1);
  seeded_random pairs_random(seed + 2);
  seeded_random ops(seed);
  matchmaker mm(mm_random, {.fallback = seconds(5), .max_tickets_per_mode = 1000});
  reference_matchmaker model(seconds(5));
  pair_registry rooms(pairs_random, {.recent_partners = 3, .max_reported = 5});

  strings tags = {"music", "chess", "anime", "cats", "dogs", "art"};
  // Bursty runs draw from more tags, so fewer tickets share one and the queue grows.
  for (int i = 0; bursty && i < 24; ++i)
    tags.push_back("t" + std::to_string(i));
  const strings langs = {"", "", "en", "en-GB", "fr", "de"};
  const auto pick = [&](std::uint64_t n) { return uniform_below(ops, n); };
  const auto guest = [&] { return "g" + std::to_string(pick(population)); };

  std::map<std::string, bool> interests_only;  // of each guest's last ticket
  std::size_t total_pairs = 0;
  std::size_t shared_pairs = 0;
  std::size_t interests_only_pairs = 0;
  std::size_t longest_queue = 0;
  std::size_t biggest_batch = 0;  // pairs formed by one match() call
  for (int step = 0; step < 10'000; ++step) {
    const std::uint64_t op = pick(100);
    if (op < t_enqueue) {  // user:match
      const std::string id = guest();
      if (rooms.room_of(id)) continue;  // chatting guests do not queue
      ticket t;
      t.guest_id = id;
      t.mode = pick(5) == 0 ? match_mode::video : match_mode::text;
      for (std::uint64_t n = pick(4), i = 0; i < n; ++i)
        t.interests.push_back(tags[pick(tags.size())]);
      t.language = langs[pick(langs.size())];
      t.interests_only = !t.interests.empty() && pick(4) == 0;
      t.enqueued_at = clk.now();
      rooms.fill_exclusions(t);
      interests_only[id] = t.interests_only;
      ASSERT_EQ(mm.enqueue(t), enqueue_error::none);
      model.enqueue(t);
    } else if (op < t_cancel) {  // user:match:cancel
      const std::string id = guest();
      ASSERT_EQ(mm.cancel(id), model.queued(id));
      model.cancel(id);
    } else if (op < t_leave) {  // chat:leave
      rooms.leave(guest());
    } else if (op < t_report) {  // a report
      rooms.report(guest(), guest());
    } else {  // time passes, the timer or an enqueue triggers match()
      longest_queue = std::max(longest_queue, mm.size(match_mode::text));
      clk.advance(milliseconds(pick(max_step_ms)));
      const auto got = mm.match(clk.now());
      const auto want = model.match(clk.now());
      ASSERT_EQ(got.size(), want.size()) << "step " << step;
      biggest_batch = std::max(biggest_batch, got.size());
      std::set<std::string> seen;
      for (std::size_t i = 0; i < got.size(); ++i) {
        const auto& p = got[i];
        ASSERT_EQ(p.a, want[i].a) << "step " << step;
        ASSERT_EQ(p.b, want[i].b) << "step " << step;
        ASSERT_EQ(p.mode, want[i].mode);
        ASSERT_EQ(p.common_interests, want[i].common_interests);
        ASSERT_NE(p.a, p.b);
        ASSERT_TRUE(seen.insert(p.a).second) << p.a << " twice in one match()";
        ASSERT_TRUE(seen.insert(p.b).second) << p.b << " twice in one match()";
        ASSERT_FALSE(mm.queued(p.a));
        ASSERT_FALSE(mm.queued(p.b));
        // The registry refuses a guest already in a room: this is the disjointness check.
        ASSERT_EQ(rooms.create(p.a, p.b, p.mode).error, pair_error::none) << "step " << step;
        ++total_pairs;
        if (!p.common_interests.empty()) ++shared_pairs;
        if (interests_only[p.a] || interests_only[p.b]) {
          ASSERT_FALSE(p.common_interests.empty()) << "interests only, paired without one";
          ++interests_only_pairs;
        }
      }
      ASSERT_TRUE(model.settled(clk.now())) << "step " << step;
    }
    // The queue and the model agree on who waits.
    if (step % 97 == 0) {
      for (std::uint64_t g = 0; g < population; ++g) {
        const std::string id = "g" + std::to_string(g);
        ASSERT_EQ(mm.queued(id), model.queued(id)) << id;
        ASSERT_FALSE(mm.queued(id) && rooms.room_of(id)) << id;
      }
    }
  }
  EXPECT_GT(total_pairs, 500U);  // the run exercised pairing, not just waiting
  EXPECT_GT(shared_pairs, 50U);
  EXPECT_GT(interests_only_pairs, 10U);
  if (bursty && population > 100) {
    EXPECT_GT(longest_queue, 15U);
    EXPECT_GE(biggest_batch, 3U);
  }
}

INSTANTIATE_TEST_SUITE_P(App, AppMatchmakerStress,
                         ::testing::Combine(::testing::Values(2024U, 7U, 99U),
                                            ::testing::Values(60U, 400U), ::testing::Bool()));

}  // namespace
}  // namespace hw::app

#include "app/pairs.hpp"

#include <gtest/gtest.h>

#include <set>
#include <string>

#include "app/testing.hpp"

namespace hw::app {
namespace {

using strings = std::vector<std::string>;

class AppPairs : public ::testing::Test {
 protected:
  seeded_random rnd{5};
  pair_registry reg{rnd};
};

bool is_room_id(const std::string& id) {
  if (id.size() != 32) return false;
  for (const char c : id) {
    if (!((c >= '0' && c <= '9') || (c >= 'a' && c <= 'f'))) return false;
  }
  return true;
}

TEST_F(AppPairs, CreatesARoomBothWays) {
  const auto r = reg.create("A", "B", match_mode::video);
  ASSERT_EQ(r.error, pair_error::none);
  EXPECT_TRUE(is_room_id(r.room_id)) << r.room_id;
  EXPECT_EQ(reg.partner_of("A"), "B");
  EXPECT_EQ(reg.partner_of("B"), "A");
  EXPECT_EQ(reg.room_of("A"), r.room_id);
  EXPECT_EQ(reg.room_of("B"), r.room_id);
  EXPECT_EQ(reg.partner_of("C"), std::nullopt);
  EXPECT_EQ(reg.room_of("C"), std::nullopt);
  const room* rm = reg.find(r.room_id);
  ASSERT_NE(rm, nullptr);
  EXPECT_EQ(rm->a, "A");
  EXPECT_EQ(rm->b, "B");
  EXPECT_EQ(rm->mode, match_mode::video);
  EXPECT_EQ(reg.rooms(), 1U);
}

TEST_F(AppPairs, RefusesSelfEmptyAndAlreadyPaired) {
  EXPECT_EQ(reg.create("A", "A", match_mode::text).error, pair_error::same_guest);
  EXPECT_EQ(reg.create("", "B", match_mode::text).error, pair_error::invalid_guest);
  EXPECT_EQ(reg.create("A", "", match_mode::text).error, pair_error::invalid_guest);
  ASSERT_EQ(reg.create("A", "B", match_mode::text).error, pair_error::none);
  EXPECT_EQ(reg.create("A", "C", match_mode::text).error, pair_error::already_paired);
  EXPECT_EQ(reg.create("C", "B", match_mode::text).error, pair_error::already_paired);
  EXPECT_EQ(reg.create("B", "A", match_mode::text).error, pair_error::already_paired);
  EXPECT_EQ(reg.partner_of("A"), "B");  // refusals changed nothing
  EXPECT_EQ(reg.partner_of("C"), std::nullopt);
  EXPECT_EQ(reg.rooms(), 1U);
  EXPECT_TRUE(reg.recent_partners("C").empty());
}

TEST_F(AppPairs, EndAndLeaveCloseTheRoom) {
  const auto id = reg.create("A", "B", match_mode::text).room_id;
  const auto ended = reg.end(id);
  ASSERT_TRUE(ended);
  EXPECT_EQ(ended->a, "A");
  EXPECT_EQ(ended->b, "B");
  EXPECT_EQ(ended->id, id);
  EXPECT_EQ(reg.find(id), nullptr);
  EXPECT_EQ(reg.partner_of("A"), std::nullopt);
  EXPECT_FALSE(reg.end(id));
  EXPECT_FALSE(reg.end("unknown"));
  EXPECT_EQ(reg.rooms(), 0U);

  ASSERT_EQ(reg.create("A", "C", match_mode::text).error, pair_error::none);
  const auto left = reg.leave("C");
  ASSERT_TRUE(left);
  EXPECT_EQ(left->a, "A");
  EXPECT_FALSE(reg.leave("C"));
  EXPECT_FALSE(reg.leave("A"));
  EXPECT_EQ(reg.room_of("A"), std::nullopt);
}

TEST_F(AppPairs, RoomIdsAreDistinctAndComeFromTheRandomSource) {
  std::set<std::string> ids;
  for (int i = 0; i < 1000; ++i) {
    const auto r = reg.create("a" + std::to_string(i), "b" + std::to_string(i), match_mode::text);
    ASSERT_EQ(r.error, pair_error::none);
    ASSERT_TRUE(is_room_id(r.room_id));
    ids.insert(r.room_id);
  }
  EXPECT_EQ(ids.size(), 1000U);

  seeded_random r1(77);
  seeded_random r2(77);
  pair_registry x(r1);
  pair_registry y(r2);
  EXPECT_EQ(x.create("A", "B", match_mode::text).room_id,
            y.create("A", "B", match_mode::text).room_id);
}

// A broken random source (always the same bytes) must not loop or hand out a duplicate room id.
class constant_random final : public random {
 public:
  std::uint64_t next() override { return 7; }
};

TEST(AppPairsBrokenRandom, DuplicateIdsAreRefused) {
  constant_random r;
  pair_registry reg(r);
  ASSERT_EQ(reg.create("A", "B", match_mode::text).error, pair_error::none);
  EXPECT_EQ(reg.create("C", "D", match_mode::text).error, pair_error::no_room_id);
  EXPECT_EQ(reg.partner_of("C"), std::nullopt);
  EXPECT_EQ(reg.rooms(), 1U);
}

TEST_F(AppPairs, RemembersTheLastKPartnersMostRecentFirst) {
  for (const char* p : {"B", "C", "D", "E"}) {
    ASSERT_EQ(reg.create("A", p, match_mode::text).error, pair_error::none);
    reg.leave("A");
  }
  EXPECT_EQ(reg.recent_partners("A"), (strings{"E", "D", "C"}));  // K = 3 by default
  EXPECT_EQ(reg.recent_partners("B"), strings{"A"});
  // A repeat partner moves to the front instead of taking two places.
  ASSERT_EQ(reg.create("A", "C", match_mode::text).error, pair_error::none);
  reg.leave("A");
  EXPECT_EQ(reg.recent_partners("A"), (strings{"C", "E", "D"}));
  EXPECT_TRUE(reg.recent_partners("nobody").empty());
}

TEST_F(AppPairs, RecentPartnerCountIsConfigurable) {
  pair_registry none(rnd, {.recent_partners = 0});
  ASSERT_EQ(none.create("A", "B", match_mode::text).error, pair_error::none);
  EXPECT_TRUE(none.recent_partners("A").empty());
  EXPECT_EQ(none.remembered(), 0U);

  pair_registry one(rnd, {.recent_partners = 1});
  ASSERT_EQ(one.create("A", "B", match_mode::text).error, pair_error::none);
  one.leave("A");
  ASSERT_EQ(one.create("A", "C", match_mode::text).error, pair_error::none);
  EXPECT_EQ(one.recent_partners("A"), strings{"C"});
}

TEST_F(AppPairs, ReportsAreRecordedBoundedAndOneWay) {
  EXPECT_TRUE(reg.report("A", "B"));
  EXPECT_FALSE(reg.report("A", "B"));  // repeat
  EXPECT_FALSE(reg.report("A", "A"));  // self
  EXPECT_FALSE(reg.report("", "B"));
  EXPECT_FALSE(reg.report("A", ""));
  EXPECT_TRUE(reg.has_reported("A", "B"));
  EXPECT_FALSE(reg.has_reported("B", "A"));  // the matchmaker makes exclusion symmetric

  pair_registry small(rnd, {.max_reported = 3});
  for (const char* t : {"B", "C", "D", "E"})
    EXPECT_TRUE(small.report("A", t));
  EXPECT_FALSE(small.has_reported("A", "B"));  // the oldest report was forgotten
  EXPECT_TRUE(small.has_reported("A", "C"));
  EXPECT_TRUE(small.has_reported("A", "E"));
}

TEST_F(AppPairs, FillsTicketExclusionsAndForgets) {
  ASSERT_EQ(reg.create("A", "B", match_mode::text).error, pair_error::none);
  reg.leave("A");
  reg.report("A", "X");
  ticket t;
  t.guest_id = "A";
  reg.fill_exclusions(t);
  EXPECT_EQ(t.recent_partners, (std::unordered_set<std::string>{"B"}));
  EXPECT_EQ(t.reported, (std::unordered_set<std::string>{"X"}));
  ticket u;
  u.guest_id = "nobody";
  reg.fill_exclusions(u);
  EXPECT_TRUE(u.recent_partners.empty());
  EXPECT_TRUE(u.reported.empty());

  EXPECT_EQ(reg.remembered(), 2U);  // A and B
  reg.forget("A");
  EXPECT_TRUE(reg.recent_partners("A").empty());
  EXPECT_FALSE(reg.has_reported("A", "X"));
  EXPECT_EQ(reg.recent_partners("B"), strings{"A"});
  EXPECT_EQ(reg.remembered(), 1U);
}

TEST_F(AppPairs, ForgetDoesNotEndARoom) {
  const auto id = reg.create("A", "B", match_mode::text).room_id;
  reg.forget("A");
  EXPECT_EQ(reg.partner_of("A"), "B");
  EXPECT_NE(reg.find(id), nullptr);
}

TEST_F(AppPairs, MatchmakerHonoursRegistryMemory) {
  // End-to-end: chat, leave, ask again: the two are not paired again, others are.
  manual_clock clk;
  matchmaker mm(rnd);
  const auto enqueue = [&](const std::string& id) {
    ticket t;
    t.guest_id = id;
    t.enqueued_at = clk.now();
    reg.fill_exclusions(t);
    EXPECT_EQ(mm.enqueue(std::move(t)), enqueue_error::none);
    return mm.match(clk.now());
  };
  EXPECT_TRUE(enqueue("A").empty());
  auto p = enqueue("B");
  ASSERT_EQ(p.size(), 1U);
  ASSERT_EQ(reg.create(p[0].a, p[0].b, p[0].mode).error, pair_error::none);
  reg.leave("A");
  EXPECT_TRUE(enqueue("A").empty());
  EXPECT_TRUE(enqueue("B").empty());
  clk.advance(std::chrono::minutes(5));
  EXPECT_TRUE(mm.match(clk.now()).empty());
  p = enqueue("C");
  ASSERT_EQ(p.size(), 1U);
  EXPECT_EQ(p[0].b, "A");
}

}  // namespace
}  // namespace hw::app

// The file_catalog port's contract, run against every implementation (memory now; a shared
// store for several instances joins with one line in `catalogs`).

#include <gtest/gtest.h>

#include <algorithm>
#include <functional>
#include <memory>

#include "app/files.hpp"
#include "state/memory/file_catalog.hpp"

namespace hw::app {
namespace {

using factory = std::function<std::unique_ptr<file_catalog>()>;

file_record rec(std::string id, std::string room, std::int64_t expires, std::uint64_t size = 10) {
  file_record r;
  r.id = std::move(id);
  r.room_id = std::move(room);
  r.owner = "g_a";
  r.partner = "g_b";
  r.name = "a.png";
  r.size = size;
  r.owner_cap = std::string(32, 'a');
  r.partner_cap = std::string(32, 'b');
  r.expires_at_ms = expires;
  return r;
}

class file_catalog_contract : public ::testing::TestWithParam<factory> {
 protected:
  std::unique_ptr<file_catalog> c = GetParam()();
};

TEST_P(file_catalog_contract, PutGetAndRefuseADuplicateId) {
  EXPECT_TRUE(c->put(rec("f1", "r1", 100)));
  EXPECT_FALSE(c->put(rec("f1", "r2", 200)));
  auto got = c->get("f1");
  ASSERT_TRUE(got);
  EXPECT_EQ(got->room_id, "r1");
  EXPECT_EQ(got->partner_cap, std::string(32, 'b'));
  EXPECT_FALSE(c->get("f2"));
  EXPECT_EQ(c->size(), 1U);
  EXPECT_EQ(c->bytes(), 10U);
}

TEST_P(file_catalog_contract, RemoveForgetsEveryIndex) {
  c->put(rec("f1", "r1", 100, 5));
  EXPECT_TRUE(c->remove("f1"));
  EXPECT_FALSE(c->remove("f1"));
  EXPECT_FALSE(c->get("f1"));
  EXPECT_TRUE(c->remove_room("r1").empty());
  EXPECT_TRUE(c->remove_expired(1000).empty());
  EXPECT_FALSE(c->next_expiry());
  EXPECT_EQ(c->bytes(), 0U);
}

TEST_P(file_catalog_contract, RemoveRoomTakesOnlyThatRoom) {
  c->put(rec("f1", "r1", 100));
  c->put(rec("f2", "r1", 300));
  c->put(rec("f3", "r2", 200));
  auto ids = c->remove_room("r1");
  std::sort(ids.begin(), ids.end());
  EXPECT_EQ(ids, (std::vector<std::string>{"f1", "f2"}));
  EXPECT_FALSE(c->get("f1"));
  EXPECT_TRUE(c->get("f3"));
  EXPECT_EQ(c->size(), 1U);
  EXPECT_EQ(c->next_expiry(), 200);
}

TEST_P(file_catalog_contract, RemoveExpiredTakesWhatIsDueInclusive) {
  c->put(rec("f1", "r1", 100));
  c->put(rec("f2", "r1", 200));
  c->put(rec("f3", "r2", 300));
  EXPECT_EQ(c->next_expiry(), 100);
  EXPECT_TRUE(c->remove_expired(99).empty());
  auto ids = c->remove_expired(200);
  std::sort(ids.begin(), ids.end());
  EXPECT_EQ(ids, (std::vector<std::string>{"f1", "f2"}));
  EXPECT_EQ(c->next_expiry(), 300);
  EXPECT_EQ(c->remove_room("r1").size(), 0U);  // its files were removed by expiry
}

INSTANTIATE_TEST_SUITE_P(memory, file_catalog_contract, ::testing::Values(factory([] {
                           return std::make_unique<state::memory::file_catalog>();
                         })));

}  // namespace
}  // namespace hw::app

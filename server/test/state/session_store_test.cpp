#include "state/memory/session_store.hpp"

#include <gtest/gtest.h>

namespace hw::state::memory {
namespace {

using namespace std::chrono_literals;

struct fixture {
  std::chrono::steady_clock::time_point t{};
  session_store store{[this] { return t; }, 2h, 3};
};

app::guest g(const std::string& id) {
  return app::guest{id, "user_" + id, "en", {"music"}};
}

std::optional<app::guest> touch(session_store& s, const std::string& id) {
  std::optional<app::guest> out;
  s.touch(id, [&](std::optional<app::guest> r) { out = std::move(r); });
  return out;
}

TEST(StateSessionStore, SlidingTtl) {
  fixture f;
  bool ok = false;
  f.store.create(g("a"), "o", [&](app::create_status r) { ok = r == app::create_status::ok; });
  ASSERT_TRUE(ok);
  f.t += 119min;
  ASSERT_TRUE(touch(f.store, "a"));  // activity: another 2 h from now
  f.t += 119min;
  auto a = touch(f.store, "a");
  ASSERT_TRUE(a);
  EXPECT_EQ(a->username, "user_a");
  f.t += 2h;  // idle for the whole TTL
  EXPECT_FALSE(touch(f.store, "a"));
  EXPECT_EQ(f.store.size(), 0U);
}

TEST(StateSessionStore, BoundedAndUniqueIds) {
  fixture f;
  int created = 0;
  for (const char* id : {"a", "b", "c", "d"})
    f.store.create(g(id), id,
                   [&](app::create_status r) { created += r == app::create_status::ok; });
  EXPECT_EQ(created, 3);  // max 3
  f.store.create(g("a"), "x", [&](app::create_status r) {
    EXPECT_NE(r, app::create_status::ok);
  });  // duplicate id
  f.store.remove("b");
  f.store.create(g("d"), "d", [&](app::create_status r) { EXPECT_EQ(r, app::create_status::ok); });
  f.t += 3h;  // all expired: room for new ones, memory released
  f.store.create(g("e"), "e", [&](app::create_status r) { EXPECT_EQ(r, app::create_status::ok); });
  EXPECT_EQ(f.store.size(), 1U);
}

TEST(StateSessionStore, ManyTouchesKeepTheIndexBounded) {
  fixture f;
  f.store.create(g("a"), "o", [](app::create_status) {});
  for (int i = 0; i < 10'000; ++i) {
    f.t += 1s;
    ASSERT_TRUE(touch(f.store, "a"));
  }
  EXPECT_EQ(f.store.size(), 1U);
}

TEST(StateSessionStore, LiveGuestsPerOwnerAreCappedAndFreedOnExpiryAndRemoval) {
  std::chrono::steady_clock::time_point t{};
  session_store store{[&t] { return t; }, 2h, 100, 2};
  std::vector<app::create_status> got;
  const auto rec = [&](app::create_status r) { got.push_back(r); };
  store.create(g("a"), "ip1", rec);
  t += 1h;
  store.create(g("b"), "ip1", rec);
  store.create(g("c"), "ip1", rec);  // third live guest of ip1
  store.create(g("d"), "ip2", rec);  // another address is not affected
  using cs = app::create_status;
  EXPECT_EQ(got, (std::vector<cs>{cs::ok, cs::ok, cs::owner_full, cs::ok}));
  EXPECT_EQ(store.owned_by("ip1"), 2U);
  store.remove("b");
  EXPECT_EQ(store.owned_by("ip1"), 1U);
  t += 61min;  // "a" expired (its TTL ran out without activity)
  store.create(g("e"), "ip1", rec);
  store.create(g("f"), "ip1", rec);
  EXPECT_EQ(got.back(), cs::ok);
  EXPECT_EQ(got[got.size() - 2], cs::ok);
  EXPECT_EQ(store.owned_by("ip1"), 2U);
  t += 3h;  // everything expired: the per-owner table is empty again
  store.create(g("z"), "ip3", rec);
  EXPECT_EQ(store.owned_by("ip1"), 0U);
  EXPECT_EQ(store.owned_by("ip2"), 0U);
}

}  // namespace
}  // namespace hw::state::memory

#include "state/memory/session_store.hpp"

#include <gtest/gtest.h>

namespace hw::state::memory {
namespace {

using namespace std::chrono_literals;

struct fixture {
  std::chrono::steady_clock::time_point t{};
  session_store store{[this] { return t; }, 2h, 3};
};

app::guest g(const std::string& id) { return app::guest{id, "user_" + id, "en", {"music"}}; }

std::optional<app::guest> touch(session_store& s, const std::string& id) {
  std::optional<app::guest> out;
  s.touch(id, [&](std::optional<app::guest> r) { out = std::move(r); });
  return out;
}

TEST(StateSessionStore, SlidingTtl) {
  fixture f;
  bool ok = false;
  f.store.create(g("a"), [&](bool r) { ok = r; });
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
  for (const char* id : {"a", "b", "c", "d"}) f.store.create(g(id), [&](bool r) { created += r; });
  EXPECT_EQ(created, 3);  // max 3
  f.store.create(g("a"), [&](bool r) { EXPECT_FALSE(r); });  // duplicate id
  f.store.remove("b");
  f.store.create(g("d"), [&](bool r) { EXPECT_TRUE(r); });
  f.t += 3h;  // all expired: room for new ones, memory released
  f.store.create(g("e"), [&](bool r) { EXPECT_TRUE(r); });
  EXPECT_EQ(f.store.size(), 1U);
}

TEST(StateSessionStore, ManyTouchesKeepTheIndexBounded) {
  fixture f;
  f.store.create(g("a"), [](bool) {});
  for (int i = 0; i < 10'000; ++i) {
    f.t += 1s;
    ASSERT_TRUE(touch(f.store, "a"));
  }
  EXPECT_EQ(f.store.size(), 1U);
}

}  // namespace
}  // namespace hw::state::memory

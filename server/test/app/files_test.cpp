#include "app/files.hpp"

#include <gtest/gtest.h>

#include "app/testing.hpp"
#include "state/memory/file_catalog.hpp"

namespace hw::app {
namespace {

using std::chrono::hours;
using std::chrono::milliseconds;
using std::chrono::minutes;
using std::chrono::seconds;

class recording_files_outbox final : public files_outbox {
 public:
  void discard(const std::vector<std::string>& ids, std::string_view why) override {
    for (const auto& id : ids)
      discarded.emplace_back(id, std::string(why));
  }
  std::vector<std::pair<std::string, std::string>> discarded;
};

class files_test : public ::testing::Test {
 protected:
  files_config cfg() {
    files_config c;
    c.max_file_bytes = 1000;
    c.max_in_flight_per_guest = 2000;
    c.max_in_flight_total = 3000;
    c.max_lifetime = hours(24);
    return c;
  }
  manual_clock clock;
  seeded_random rnd{7};
  state::memory::file_catalog catalog;
  recording_files_outbox out;
  file_service files{catalog, out, clock, rnd, cfg()};

  /// An upload by `guest` in `room`, recorded; the record.
  file_record upload(const std::string& guest, const std::string& room, std::uint64_t size = 100) {
    upload_ticket t;
    EXPECT_FALSE(files.begin_upload(guest, room, size, t));
    file_record r;
    auto id = files.new_file_id();
    EXPECT_FALSE(files.add(t, room, "partner", id,
                           upload_result{"a.png", size, {"image/png", file_kind::image, true}, {}},
                           r));
    files.end_upload(t);
    return r;
  }
};

TEST_F(files_test, RefusesAGuestOutsideAChatAndOversizedOrEmptyFiles) {
  upload_ticket t;
  EXPECT_EQ(files.begin_upload("g", "", 10, t)->code, error::not_in_chat);
  EXPECT_EQ(files.begin_upload("g", "r", 1001, t)->code, error::file_too_large);
  EXPECT_EQ(files.begin_upload("g", "r", 0, t)->code, error::invalid_payload);
  EXPECT_FALSE(files.begin_upload("g", "r", 1000, t));
  EXPECT_EQ(files.bytes_in_flight(), 1000U);
}

TEST_F(files_test, TenUploadsPerTenMinutesThenRateLimitedWithARetryDelay) {
  for (int i = 0; i < 10; ++i) {
    upload_ticket t;
    ASSERT_FALSE(files.begin_upload("g", "r", 10, t)) << i;
    files.end_upload(t);
  }
  upload_ticket t;
  auto refused = files.begin_upload("g", "r", 10, t);
  ASSERT_TRUE(refused);
  EXPECT_EQ(refused->code, error::rate_limited);
  EXPECT_GT(refused->retry_after_ms, 0);
  EXPECT_LE(refused->retry_after_ms, 60'000);
  EXPECT_FALSE(files.begin_upload("other", "r", 10, t)) << "the limit is per guest";
  clock.advance(minutes(1));
  EXPECT_FALSE(files.begin_upload("g", "r", 10, t)) << "one token back per minute";
}

TEST_F(files_test, BytesInFlightAreBoundedPerGuestAndInTotalAndReleased) {
  upload_ticket a, b, c, d;
  ASSERT_FALSE(files.begin_upload("g1", "r", 1000, a));
  ASSERT_FALSE(files.begin_upload("g1", "r", 1000, b));
  auto refused = files.begin_upload("g1", "r", 1, c);
  ASSERT_TRUE(refused);
  EXPECT_EQ(refused->code, error::rate_limited) << "per guest: 2000";
  ASSERT_FALSE(files.begin_upload("g2", "r", 1000, c));
  refused = files.begin_upload("g3", "r", 1, d);
  ASSERT_TRUE(refused);
  EXPECT_EQ(refused->code, error::server_busy) << "in total: 3000";
  files.end_upload(a);
  EXPECT_FALSE(files.begin_upload("g3", "r", 1000, d));
  EXPECT_EQ(files.bytes_in_flight(), 3000U);
  for (const auto* t : {&b, &c, &d})
    files.end_upload(*t);
  EXPECT_EQ(files.bytes_in_flight(), 0U);
}

TEST_F(files_test, AChunkedUploadReservesTheLimit) {
  upload_ticket t;
  ASSERT_FALSE(files.begin_upload("g", "r", std::nullopt, t));
  EXPECT_EQ(t.reserved, 1000U);
}

TEST_F(files_test, AnUploadWhoseChatEndedMeanwhileIsRefused) {
  upload_ticket t;
  ASSERT_FALSE(files.begin_upload("g", "r1", 10, t));
  file_record r;
  auto refused = files.add(t, "r2", "p", files.new_file_id(), upload_result{"x", 10, {}, {}}, r);
  ASSERT_TRUE(refused);
  EXPECT_EQ(refused->code, error::not_in_chat);
  refused = files.add(t, "", "p", files.new_file_id(), upload_result{"x", 10, {}, {}}, r);
  EXPECT_EQ(refused->code, error::not_in_chat);
  EXPECT_EQ(files.live_files(), 0U);
}

TEST_F(files_test, CapabilitiesAre128BitHexDistinctPerReaderAndCheckedExactly) {
  auto r = upload("g", "r");
  EXPECT_EQ(r.id.size(), 32U);
  EXPECT_EQ(r.owner_cap.size(), 32U);
  EXPECT_NE(r.owner_cap, r.partner_cap);
  EXPECT_EQ(files.open(r.id, r.owner_cap)->second, file_reader::owner);
  EXPECT_EQ(files.open(r.id, r.partner_cap)->second, file_reader::partner);
  auto wrong = r.owner_cap;
  wrong.back() = wrong.back() == '0' ? '1' : '0';
  EXPECT_FALSE(files.open(r.id, wrong));
  EXPECT_FALSE(files.open(r.id, ""));
  EXPECT_FALSE(files.open(r.id, r.owner_cap.substr(0, 31)));
  EXPECT_FALSE(files.open("0123456789abcdef0123456789abcdef", r.owner_cap));
}

TEST_F(files_test, OnlyTheOwnerMayAttachItsFileInItsChat) {
  auto r = upload("g", "r");
  EXPECT_TRUE(files.attachable("g", "r", r.id));
  EXPECT_FALSE(files.attachable("partner", "r", r.id));
  EXPECT_FALSE(files.attachable("g", "r2", r.id));
  EXPECT_FALSE(files.attachable("g", "r", "nope"));
}

TEST_F(files_test, TheEndOfTheChatDeletesItsFilesAtOnce) {
  auto a = upload("g", "r1");
  auto b = upload("g", "r1");
  auto c = upload("h", "r2");
  files.room_closed("r1");
  EXPECT_FALSE(files.open(a.id, a.owner_cap));
  EXPECT_FALSE(files.open(b.id, b.partner_cap));
  EXPECT_TRUE(files.open(c.id, c.owner_cap));
  ASSERT_EQ(out.discarded.size(), 2U);
  EXPECT_EQ(out.discarded[0].second, "chat_ended");
  EXPECT_EQ(files.live_files(), 1U);
  EXPECT_EQ(files.stored_bytes(), 100U);
}

TEST_F(files_test, FilesExpireAfterTheLifetimeWithTheWakeupAtTheDeadline) {
  auto a = upload("g", "r1");
  clock.advance(hours(1));
  auto b = upload("g", "r1");
  ASSERT_TRUE(files.next_wakeup());
  EXPECT_EQ(*files.next_wakeup(), clock.now() + hours(23));
  clock.advance(hours(23) - milliseconds(1));
  files.tick();
  EXPECT_TRUE(files.open(a.id, a.owner_cap));
  clock.advance(milliseconds(1));
  EXPECT_FALSE(files.open(a.id, a.owner_cap)) << "expired even before the sweep";
  files.tick();
  ASSERT_EQ(out.discarded.size(), 1U);
  EXPECT_EQ(out.discarded[0], std::pair(a.id, std::string("expired")));
  EXPECT_TRUE(files.open(b.id, b.owner_cap));
  EXPECT_EQ(*files.next_wakeup(), clock.now() + hours(1));
  clock.advance(hours(1));
  files.tick();
  EXPECT_FALSE(files.next_wakeup());
  EXPECT_EQ(files.live_files(), 0U);
}

TEST(equal_secret, ComparesWholeStrings) {
  EXPECT_TRUE(equal_secret("abc", "abc"));
  EXPECT_FALSE(equal_secret("abc", "abd"));
  EXPECT_FALSE(equal_secret("abc", "ab"));
  EXPECT_FALSE(equal_secret("", "a"));
  EXPECT_TRUE(equal_secret("", ""));
}

}  // namespace
}  // namespace hw::app

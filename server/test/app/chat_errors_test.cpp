// The chat domain's refusals: codes and default messages come from app/errors.hpp, and
// messages that state a limit state the configured one.

#include <gtest/gtest.h>

#include <chrono>
#include <memory>
#include <string>
#include <vector>

#include "app/chat_service.hpp"
#include "app/errors.hpp"
#include "app/testing.hpp"

namespace hw::app {
namespace {

using std::chrono::seconds;
using strings = std::vector<std::string>;

/// An outbox that accepts everything: these tests look only at the results.
class null_outbox final : public chat_outbox {
 public:
  void matched(const std::string& /*guest*/, const matched_event& /*e*/) override {}
  bool message(const std::string& /*guest*/, const chat_message& /*m*/) override { return true; }
  void delivered(const std::string& /*guest*/, const strings& /*ids*/) override {}
  void read(const std::string& /*guest*/, const std::string& /*up_to*/) override {}
  void typing(const std::string& /*guest*/, bool /*start*/) override {}
  void ended(const std::string& /*guest*/, std::string_view /*reason*/) override {}
  void partner_connection(const std::string& /*guest*/, std::string_view /*state*/) override {}
  void stats(const stats_snapshot& /*s*/) override {}
  void call(const std::string& /*guest*/, const call_signal& /*s*/) override {}
  void disconnect(const std::string& /*guest*/, std::string_view /*reason*/) override {}
  void offline(const std::string& /*guest*/) override {}
  void gone(const std::string& /*guest*/) override {}
};

std::string uuid(unsigned n) {
  std::string hex = std::to_string(n);
  return "00000000-0000-4000-8000-" + std::string(12 - hex.size(), '0') + hex;
}

class AppChatErrors : public ::testing::Test {
 protected:
  AppChatErrors() { rebuild({}); }
  void rebuild(chat_config cfg) { svc = std::make_unique<chat_service>(out, clk, rnd, cfg); }
  void connect(const std::string& id, strings interests = {}) {
    svc->connected(guest{id, "u_" + id, "", std::move(interests)}, false);
  }
  chat_result<match_state> match(const std::string& id, std::optional<strings> interests = {}) {
    return svc->match(id, match_mode::text, std::move(interests), std::nullopt);
  }
  void pair(const std::string& a, const std::string& b) {
    connect(a);
    connect(b);
    match(a);
    ASSERT_EQ(match(b).value, match_state::matched);
  }
  /// The refusal has `e`'s wire code and, unless `message` is given, the table's message.
  static void expect(const chat_error& got, error e, std::string_view message = {}) {
    EXPECT_EQ(got.code, code(e));
    EXPECT_EQ(got.message, message.empty() ? app::message(e) : message) << got.code;
  }

  null_outbox out;
  manual_clock clk;
  seeded_random rnd{7};
  std::unique_ptr<chat_service> svc;
};

TEST_F(AppChatErrors, RefusalsCarryTheTablesCodeAndMessage) {
  expect(match("nobody").error, error::not_connected);
  expect(svc->send("nobody", uuid(1), "hi").error, error::not_connected);
  expect(svc->query_stats("nobody").error, error::not_connected);
  connect("A");
  expect(svc->send("A", uuid(1), "hi").error, error::not_in_chat);
  expect(svc->typing("A", true).error, error::not_in_chat);
  expect(svc->read("A", uuid(1)).error, error::not_in_chat);
  expect(svc->delivered("A", {uuid(1)}).error, error::not_in_chat);
  expect(svc->unknown_event("A"), error::unknown_event);
  pair("B", "C");
  expect(match("B").error, error::already_in_chat);
}

TEST_F(AppChatErrors, ARateLimitCarriesItsRetryDelay) {
  connect("A");
  chat_error last;
  for (int i = 0; i < 100 && last.code.empty(); ++i)
    last = svc->query_stats("A").error;
  expect(last, error::rate_limited);
  EXPECT_GT(last.retry_after_ms, 0);
}

TEST_F(AppChatErrors, AFullQueueIsQueueFull) {
  chat_config cfg;
  cfg.matching.max_tickets_per_mode = 1;
  rebuild(cfg);
  connect("A", {"x"});
  connect("B", {"y"});
  ASSERT_EQ(match("A").value, match_state::searching);
  expect(match("B").error, error::queue_full);
}

TEST_F(AppChatErrors, TheReceiptLimitInTheMessageIsTheConfiguredOne) {
  pair("A", "B");
  strings ids;
  for (unsigned i = 0; i < 101; ++i)
    ids.push_back(uuid(i));
  auto r = svc->delivered("B", ids);
  expect(r.error, error::invalid_payload, "1 to 100 message ids");
  EXPECT_EQ(r.error.field, "ids");

  chat_config cfg;
  cfg.max_receipt_ids = 3;
  rebuild(cfg);
  pair("A", "B");
  ids.resize(4);
  r = svc->delivered("B", ids);
  expect(r.error, error::invalid_payload, "1 to 3 message ids");
  ids.resize(3);
  EXPECT_TRUE(svc->delivered("B", ids).value.has_value());
  expect(svc->delivered("B", {}).error, error::invalid_payload, "1 to 3 message ids");
}

TEST_F(AppChatErrors, TheReportWindowInTheMessageIsTheConfiguredOne) {
  connect("A");
  expect(svc->report("A", "spam", std::nullopt).error, error::not_in_chat,
         "nobody to report: no chat in the last 5 minutes");
  for (const auto& [window, words] :
       {std::pair{seconds(60), "1 minute"}, std::pair{seconds(90), "90 seconds"},
        std::pair{seconds(1), "1 second"}, std::pair{seconds(600), "10 minutes"}}) {
    chat_config cfg;
    cfg.report_window = window;
    rebuild(cfg);
    connect("A");
    expect(svc->report("A", "spam", std::nullopt).error, error::not_in_chat,
           std::string("nobody to report: no chat in the last ") + words);
  }
}

TEST_F(AppChatErrors, AnUnknownReportReasonListsEveryReason) {
  pair("A", "B");
  auto r = svc->report("A", "abuse", std::nullopt);
  expect(r.error, error::invalid_payload,
         "reason must be spam, harassment, sexual, underage, violence or other");
  EXPECT_EQ(r.error.field, "reason");
}

TEST_F(AppChatErrors, TheInterestLimitInTheMessageIsTheMatchmakersOne) {
  // The gateway validates interests against its own bound first; the matchmaker's bound is
  // the last line, and its message names it.
  chat_config cfg;
  cfg.matching.max_interests = 2;
  rebuild(cfg);
  connect("A");
  auto r = match("A", strings{"a", "b", "c"});
  expect(r.error, error::invalid_payload, "too many interests (at most 2)");
  EXPECT_EQ(r.error.field, "interests");
}

TEST_F(AppChatErrors, ValidatorRefusalsPassThroughWithTheirField) {
  pair("A", "B");
  auto r = svc->send("A", "not-a-uuid", "hi");
  expect(r.error, error::invalid_payload, "id must be a UUID (8-4-4-4-12 hex digits)");
  EXPECT_EQ(r.error.field, "id");
  EXPECT_EQ(r.error.retry_after_ms, -1);
}

}  // namespace
}  // namespace hw::app

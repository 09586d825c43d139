// The event table driven without sockets: in-memory event arguments through run_event() into a
// fake domain (a chat_port that records calls and returns canned results).

#include "gateway/event_table.hpp"

#include <gtest/gtest.h>

#include <boost/json.hpp>

#include <map>
#include <set>
#include <string>
#include <vector>

#include "gateway/events.hpp"

namespace hw::gateway {
namespace {

namespace json = boost::json;
using app::match_state;

/// Records every call ("match", "typing:start", ...) with its guest; answers with `fail` when
/// set, else with a canned success.
class fake_chat final : public chat_port {
 public:
  std::vector<std::string> calls;
  std::string guest;
  std::optional<app::chat_error> fail;
  match_state state = match_state::searching;
  std::optional<std::chrono::milliseconds> fallback = std::chrono::milliseconds(5000);
  match_request last_match;
  message_payload last_message;
  delivered_payload last_delivered;
  read_payload last_read;
  report_payload last_report;
  offer_payload last_offer;
  app::ice_candidate last_candidate;

  app::chat_result<match_state> match(const std::string& g, match_request r) override {
    last_match = std::move(r);
    return answer("match", g, state);
  }
  app::chat_result<match_state> next(const std::string& g, match_request r) override {
    last_match = std::move(r);
    return answer("next", g, state);
  }
  [[nodiscard]] std::optional<std::chrono::milliseconds> fallback_in(
      const std::string& /*g*/) const override {
    return fallback;
  }
  app::chat_result<match_state> cancel(const std::string& g) override {
    return answer("cancel", g, match_state::idle);
  }
  app::chat_result<app::report_outcome> report(const std::string& g,
                                               const report_payload& r) override {
    last_report = r;
    return answer("report", g, app::report_outcome{app::report_reason::spam, true});
  }
  app::chat_result<app::chat_message> send(const std::string& g,
                                           const message_payload& m) override {
    last_message = m;
    return answer(
        "send", g,
        app::chat_message{m.id, {}, 1'700'000'000'000, app::message_type::text, std::nullopt});
  }
  app::chat_result<app::none> delivered(const std::string& g, const delivered_payload& d) override {
    last_delivered = d;
    return answer("delivered", g, app::none{});
  }
  app::chat_result<app::none> read(const std::string& g, const read_payload& r) override {
    last_read = r;
    return answer("read", g, app::none{});
  }
  app::chat_result<app::none> typing(const std::string& g, bool start) override {
    return answer(start ? "typing:start" : "typing:stop", g, app::none{});
  }
  app::chat_result<app::none> leave(const std::string& g) override {
    return answer("leave", g, app::none{});
  }
  app::chat_result<app::none> call_offer(const std::string& g, offer_payload o) override {
    last_offer = std::move(o);
    return answer("offer", g, app::none{});
  }
  app::chat_result<app::none> call_answer(const std::string& g, answer_payload /*a*/) override {
    return answer("answer", g, app::none{});
  }
  app::chat_result<app::none> call_candidate(const std::string& g, app::ice_candidate c) override {
    last_candidate = std::move(c);
    return answer("candidate", g, app::none{});
  }
  app::chat_result<app::none> call_end(const std::string& g) override {
    return answer("call-end", g, app::none{});
  }
  app::chat_result<app::none> call_reject(const std::string& g) override {
    return answer("call-reject", g, app::none{});
  }
  app::chat_result<app::none> call_reveal(const std::string& g, reveal_payload r) override {
    return answer(r.reveal ? "reveal" : "blur", g, app::none{});
  }
  app::chat_result<app::stats_snapshot> query_stats(const std::string& g) override {
    return answer("stats", g, app::stats_snapshot{7, 2, 4});
  }
  app::chat_error unknown_event(const std::string& g) override {
    calls.emplace_back("unknown");
    guest = g;
    return app::chat_error::of(app::error::unknown_event);
  }

 private:
  template <class T>
  app::chat_result<T> answer(const char* name, const std::string& g, T value) {
    calls.emplace_back(name);
    guest = g;
    if (fail) return {std::nullopt, *fail};
    return {std::move(value), {}};
  }
};

/// A payload that every row's decoder accepts.
json::array valid_args(std::string_view event) {
  static const std::map<std::string_view, const char*> payloads = {
      {events::user_match, R"({"mode":"text"})"},
      {events::user_next, R"({"mode":"video","interests":["go"]})"},
      {events::user_report, R"({"reason":"spam","note":"rude"})"},
      {events::chat_message, R"({"id":"6f1c2d3e-0000-4000-8000-000000000001","text":"hi"})"},
      {events::chat_delivered, R"({"ids":["6f1c2d3e-0000-4000-8000-000000000001"]})"},
      {events::chat_read, R"({"upTo":"6f1c2d3e-0000-4000-8000-000000000001"})"},
      {events::webrtc_offer, R"({"offer":{"type":"offer","sdp":"v=0"},"callType":"video"})"},
      {events::webrtc_answer, R"({"answer":{"type":"answer","sdp":"v=0"}})"},
      {events::webrtc_candidate,
       R"({"candidate":{"candidate":"candidate:1 1 udp 1 203.0.113.7 5 typ relay","sdpMid":"0",)"
       R"("sdpMLineIndex":0}})"},
      {events::webrtc_reveal, R"({"reveal":true})"},
  };
  json::array args;
  if (auto it = payloads.find(event); it != payloads.end()) args.push_back(json::parse(it->second));
  return args;
}

json::value run(fake_chat& chat, std::string_view event, const json::array& args,
                const std::string& guest = "g_1") {
  return run_event(find_event(event), chat, guest, args);
}

std::set<std::string> keys(const json::value& v) {
  std::set<std::string> out;
  for (const auto& kv : v.as_object())
    out.emplace(kv.key());
  return out;
}

// The success ack of each shape (docs/protocol.md §3, "ack on success").
const std::map<ack_shape, std::set<std::string>> documented = {
    {ack_shape::ok, {"ok"}},
    {ack_shape::state, {"ok", "state"}},
    {ack_shape::search, {"ok", "state", "fallbackInMs"}},
    {ack_shape::message, {"ok", "id", "timestamp"}},
    {ack_shape::stats, {"ok", "online", "searching", "chatting"}},
};

TEST(GatewayEventTable, RowsHaveTheDocumentedShapeAndClass) {
  // What docs/protocol.md §3 says per event (shape) and its "Rate limits" rule (class).
  const std::map<std::string_view, std::pair<ack_shape, rate_class>> expected = {
      {"user:match", {ack_shape::search, rate_class::match}},
      {"user:next", {ack_shape::search, rate_class::match}},
      {"user:match:cancel", {ack_shape::state, rate_class::control}},
      {"user:report", {ack_shape::ok, rate_class::control}},
      {"chat:message", {ack_shape::message, rate_class::message}},
      {"chat:delivered", {ack_shape::ok, rate_class::receipt}},
      {"chat:read", {ack_shape::ok, rate_class::receipt}},
      {"chat:typing:start", {ack_shape::ok, rate_class::typing}},
      {"chat:typing:stop", {ack_shape::ok, rate_class::typing}},
      {"chat:leave", {ack_shape::ok, rate_class::control}},
      {"chat:clear", {ack_shape::ok, rate_class::control}},
      {"leave-room", {ack_shape::ok, rate_class::control}},
      {"close-room", {ack_shape::ok, rate_class::control}},
      {"stats:get", {ack_shape::stats, rate_class::control}},
      {"webrtc:offer", {ack_shape::ok, rate_class::signal}},
      {"webrtc:answer", {ack_shape::ok, rate_class::signal}},
      {"webrtc:ice-candidate", {ack_shape::ok, rate_class::signal}},
      {"webrtc:call-end", {ack_shape::ok, rate_class::signal}},
      {"webrtc:call-reject", {ack_shape::ok, rate_class::signal}},
      {"webrtc:video-reveal", {ack_shape::ok, rate_class::signal}},
  };
  ASSERT_EQ(event_table().size(), expected.size());
  for (const auto& row : event_table()) {
    const auto it = expected.find(row.name);
    ASSERT_NE(it, expected.end()) << row.name;
    EXPECT_EQ(to_string(row.ack), to_string(it->second.first)) << row.name;
    EXPECT_EQ(to_string(row.limit), to_string(it->second.second)) << row.name;
    EXPECT_EQ(find_event(row.name), &row);
  }
}

TEST(GatewayEventTable, EverySuccessAckHasItsRowsShape) {
  for (const auto& row : event_table()) {
    fake_chat chat;
    const auto ack = run(chat, row.name, valid_args(row.name), "g_42");
    ASSERT_TRUE(ack.is_object()) << row.name;
    EXPECT_EQ(ack.at("ok"), true) << row.name << ": " << json::serialize(ack);
    EXPECT_EQ(keys(ack), documented.at(row.ack)) << row.name << ": " << json::serialize(ack);
    ASSERT_EQ(chat.calls.size(), 1U) << row.name;
    EXPECT_EQ(chat.guest, "g_42") << row.name;
  }
}

TEST(GatewayEventTable, EachRowCallsItsDomainOperation) {
  const std::map<std::string_view, std::string> op = {
      {"user:match", "match"},
      {"user:next", "next"},
      {"user:match:cancel", "cancel"},
      {"user:report", "report"},
      {"chat:message", "send"},
      {"chat:delivered", "delivered"},
      {"chat:read", "read"},
      {"chat:typing:start", "typing:start"},
      {"chat:typing:stop", "typing:stop"},
      {"chat:leave", "leave"},
      {"chat:clear", "leave"},
      {"leave-room", "leave"},
      {"close-room", "leave"},
      {"stats:get", "stats"},
      {"webrtc:offer", "offer"},
      {"webrtc:answer", "answer"},
      {"webrtc:ice-candidate", "candidate"},
      {"webrtc:call-end", "call-end"},
      {"webrtc:call-reject", "call-reject"},
      {"webrtc:video-reveal", "reveal"},
  };
  for (const auto& row : event_table()) {
    fake_chat chat;
    run(chat, row.name, valid_args(row.name));
    EXPECT_EQ(chat.calls, std::vector<std::string>{op.at(row.name)}) << row.name;
  }
}

TEST(GatewayEventTable, DecodedPayloadsReachTheDomain) {
  fake_chat chat;
  run(chat, events::user_next, valid_args(events::user_next));
  EXPECT_EQ(chat.last_match.mode, app::match_mode::video);
  EXPECT_EQ(chat.last_match.interests, std::vector<std::string>{"go"});
  run(chat, events::chat_message, valid_args(events::chat_message));
  EXPECT_EQ(chat.last_message.text, "hi");
  run(chat, events::user_report, valid_args(events::user_report));
  EXPECT_EQ(chat.last_report.reason, "spam");
  EXPECT_EQ(chat.last_report.note, "rude");
  run(chat, events::chat_read, valid_args(events::chat_read));
  EXPECT_EQ(chat.last_read.up_to, "6f1c2d3e-0000-4000-8000-000000000001");
  run(chat, events::webrtc_offer, valid_args(events::webrtc_offer));
  EXPECT_EQ(chat.last_offer.type, app::call_type::video);
  EXPECT_EQ(chat.last_offer.sdp, "v=0");
  run(chat, events::webrtc_candidate, valid_args(events::webrtc_candidate));
  EXPECT_EQ(chat.last_candidate.sdp_mid, "0");
  EXPECT_EQ(chat.last_candidate.sdp_mline_index, 0);
}

TEST(GatewayEventTable, BadPayloadsAreInvalidPayloadWithTheFieldAndNeverReachTheDomain) {
  const std::vector<std::tuple<std::string_view, const char*, const char*>> cases = {
      {events::user_match, "[1]", "payload"},  // not an object
      {events::user_match, R"([{"mode":"fax"}])", "mode"},
      {events::user_next, R"([{"mode":"text","interestsOnly":1}])", "interestsOnly"},
      {events::user_report, "[]", "payload"},
      {events::user_report, R"([{"reason":"spam","note":[]}])", "note"},
      {events::chat_message, R"(["hi"])", "payload"},
      {events::chat_message, R"([{"id":"x"}])", "text"},
      {events::chat_delivered, R"([{"ids":[1]}])", "ids"},
      {events::chat_read, "[]", "upTo"},
      {events::webrtc_offer, R"([{"offer":{"type":"answer","sdp":"v=0"},"callType":"audio"}])",
       "offer"},
      {events::webrtc_offer, R"([{"offer":{"type":"offer","sdp":"v=0"},"callType":"screen"}])",
       "callType"},
      {events::webrtc_answer, R"([{"answer":{"type":"answer","sdp":5}}])", "answer"},
      {events::webrtc_candidate, R"([{"candidate":"candidate:1"}])", "candidate"},
      {events::webrtc_candidate, R"([{"candidate":{"candidate":"x","sdpMLineIndex":-1}}])",
       "candidate"},
      {events::webrtc_reveal, R"([{"reveal":"yes"}])", "reveal"},
  };
  for (const auto& [event, args, field] : cases) {
    fake_chat chat;
    const auto ack = run(chat, event, json::parse(args).as_array());
    EXPECT_EQ(ack.at("ok"), false) << event << " " << args;
    EXPECT_EQ(ack.at("error").at("code"), "invalid_payload") << event << " " << args;
    EXPECT_EQ(ack.at("error").at("field"), field) << event << " " << args;
    EXPECT_TRUE(chat.calls.empty()) << event << " " << args;
  }
}

TEST(GatewayEventTable, EventsWithoutPayloadIgnoreWhatIsSent) {
  for (const auto event : {events::user_match_cancel, events::chat_typing_start, events::chat_leave,
                           events::stats_get}) {
    fake_chat chat;
    EXPECT_EQ(run(chat, event, json::parse(R"([42,"x"])").as_array()).at("ok"), true) << event;
  }
}

TEST(GatewayEventTable, DomainRefusalsAreEncodedWhole) {
  for (const auto& row : event_table()) {
    fake_chat chat;
    chat.fail = app::chat_error{"rate_limited", "too many requests; slow down", "", 250};
    const auto ack = run(chat, row.name, valid_args(row.name));
    EXPECT_EQ(
        json::serialize(ack),
        R"({"ok":false,"error":{"code":"rate_limited","message":"too many requests; slow down",)"
        R"("retryAfterMs":250}})")
        << row.name;
  }
  fake_chat chat;
  chat.fail = app::chat_error::of(app::error::invalid_payload,
                                  "interestsOnly needs at least one interest", "interestsOnly");
  EXPECT_EQ(run(chat, events::user_match, valid_args(events::user_match)).at("error").at("field"),
            "interestsOnly");
}

TEST(GatewayEventTable, SearchAcksCarryTheFallbackOnlyWhileSearching) {
  fake_chat chat;
  EXPECT_EQ(run(chat, events::user_match, valid_args(events::user_match)).at("fallbackInMs"), 5000);
  chat.fallback = std::nullopt;  // interests only: null, still present
  EXPECT_TRUE(
      run(chat, events::user_next, valid_args(events::user_next)).at("fallbackInMs").is_null());
  chat.state = match_state::matched;
  const auto matched = run(chat, events::user_match, valid_args(events::user_match));
  EXPECT_EQ(matched.at("state"), "matched");
  EXPECT_FALSE(matched.as_object().contains("fallbackInMs"));
}

TEST(GatewayEventTable, UnknownEventsAreRefusedThroughTheDomain) {
  for (const auto name : {"chat:nope", "", "CHAT:MESSAGE", "message"}) {
    EXPECT_EQ(find_event(name), nullptr) << name;
    fake_chat chat;
    const auto ack = run(chat, name, {}, "g_7");
    EXPECT_EQ(ack.at("ok"), false);
    EXPECT_EQ(ack.at("error").at("code"), "unknown_event");
    // The domain hears of it (its flood guard counts unknown events).
    EXPECT_EQ(chat.calls, std::vector<std::string>{"unknown"});
    EXPECT_EQ(chat.guest, "g_7");
  }
}

}  // namespace
}  // namespace hw::gateway

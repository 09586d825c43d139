// The event table's rate-limit classes against the real domain: the domain takes each token
// itself (at the point its rules give), so this pins the class a row declares to the bucket the
// domain actually charges. For every row and every class: a fresh pair of guests, the class's
// bucket spent, then the row's event — refused rate_limited exactly when its class is the spent
// one.

#include <gtest/gtest.h>

#include <boost/json.hpp>

#include <array>
#include <string>

#include "app/chat_service.hpp"
#include "app/testing.hpp"
#include "gateway/chat_port.hpp"
#include "gateway/event_table.hpp"
#include "gateway/events.hpp"

namespace hw::gateway {
namespace {

namespace json = boost::json;

class null_outbox final : public app::chat_outbox {
 public:
  void matched(const std::string& /*g*/, const app::matched_event& /*e*/) override {}
  bool message(const std::string& /*g*/, const app::chat_message& /*m*/) override { return true; }
  void delivered(const std::string& /*g*/, const std::vector<std::string>& /*ids*/) override {}
  void read(const std::string& /*g*/, const std::string& /*up_to*/) override {}
  void typing(const std::string& /*g*/, bool /*start*/) override {}
  void ended(const std::string& /*g*/, std::string_view /*reason*/) override {}
  void partner_connection(const std::string& /*g*/, std::string_view /*state*/) override {}
  void stats(const app::stats_snapshot& /*s*/) override {}
  void call(const std::string& /*g*/, const app::call_signal& /*s*/) override {}
  void disconnect(const std::string& /*g*/, std::string_view /*reason*/) override {}
  void offline(const std::string& /*g*/) override {}
  void gone(const std::string& /*g*/) override {}
};

std::string uuid(int n) {
  char buf[40];
  std::snprintf(buf, sizeof buf, "6f1c2d3e-0000-4000-8000-%012d", n);
  return buf;
}

json::array args_of(const char* text) {
  json::array a;
  if (text != nullptr) a.push_back(json::parse(text));
  return a;
}

/// A valid payload per row, so that each event reaches its domain rules.
json::array valid_args(std::string_view event) {
  if (event == events::user_match || event == events::user_next)
    return args_of(R"({"mode":"text"})");
  if (event == events::user_report) return args_of(R"({"reason":"spam"})");
  if (event == events::chat_message) {
    return args_of((R"({"id":")" + uuid(1) + R"(","text":"hi"})").c_str());
  }
  if (event == events::chat_delivered)
    return args_of((R"({"ids":[")" + uuid(1) + R"("]})").c_str());
  if (event == events::chat_read) return args_of((R"({"upTo":")" + uuid(1) + R"("})").c_str());
  if (event == events::webrtc_offer)
    return args_of(R"({"offer":{"type":"offer","sdp":"v=0"},"callType":"audio"})");
  if (event == events::webrtc_answer) return args_of(R"({"answer":{"type":"answer","sdp":"v=0"}})");
  if (event == events::webrtc_candidate) return args_of(R"({"candidate":{"candidate":""}})");
  if (event == events::webrtc_reveal) return args_of(R"({"reveal":true})");
  return {};
}

/// Two connected guests, a and b, paired; every bucket holds one token (the match bucket two:
/// pairing them took one).
struct world {
  null_outbox out;
  app::manual_clock clock;
  app::seeded_random random;
  app::chat_service chat;
  chat_domain port;

  static app::chat_config config() {
    app::chat_config c;
    c.message_limit = c.typing_limit = c.receipt_limit = c.control_limit =
        c.signal_limit = {0.0, 1.0};
    c.match_limit = {0.0, 2.0};
    return c;
  }
  world() : chat(out, clock, random, config()), port(chat, nullptr) {
    chat.connected({"a", "Ada", "", {}}, false);
    chat.connected({"b", "Bob", "", {}}, false);
    EXPECT_TRUE(chat.match("a", app::match_mode::text, std::nullopt, std::nullopt).value);
    EXPECT_EQ(chat.match("b", app::match_mode::text, std::nullopt, std::nullopt).value,
              app::match_state::matched);
  }

  json::value send(std::string_view event, const json::array& args) {
    return run_event(find_event(event), port, "a", args);
  }

  /// Spends guest a's bucket of class `c` through an event of that class without side effects.
  void spend(rate_class c) {
    for (int i = 0; i < 10; ++i) {
      json::value ack;
      switch (c) {
        case rate_class::match:
          ack = send(events::user_match, valid_args(events::user_match));  // already_in_chat
          break;
        case rate_class::message:
          ack = send(events::chat_message,
                     args_of((R"({"id":")" + uuid(100 + i) + R"(","text":"x"})").c_str()));
          break;
        case rate_class::typing:
          ack = send(events::chat_typing_start, {});
          break;
        case rate_class::receipt:
          ack = send(events::chat_read, valid_args(events::chat_read));
          break;
        case rate_class::control:
          ack = send(events::stats_get, {});
          break;
        case rate_class::signal:
          ack = send(events::webrtc_end, {});  // no_call: nothing changes
          break;
      }
      if (ack.at("ok") == false && ack.at("error").at("code") == "rate_limited") return;
    }
    ADD_FAILURE() << "bucket " << to_string(c) << " never ran out";
  }
};

constexpr std::array all_classes = {rate_class::match,   rate_class::message, rate_class::typing,
                                    rate_class::receipt, rate_class::control, rate_class::signal};

TEST(GatewayEventRates, EachRowDrawsFromTheBucketItsClassNames) {
  for (const auto& row : event_table()) {
    for (const auto spent : all_classes) {
      world w;
      w.spend(spent);
      const auto ack = w.send(row.name, valid_args(row.name));
      const bool limited = ack.at("ok") == false && ack.at("error").at("code") == "rate_limited";
      EXPECT_EQ(limited, row.limit == spent)
          << row.name << " (class " << to_string(row.limit) << ") after spending "
          << to_string(spent) << ": " << json::serialize(ack);
    }
  }
}

}  // namespace
}  // namespace hw::gateway

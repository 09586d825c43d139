#include "gateway/codec.hpp"

#include <gtest/gtest.h>

#include <boost/json.hpp>

#include <string>

namespace hw::gateway {
namespace {

namespace json = boost::json;

json::object obj(std::string_view text) {
  return json::parse(text).as_object();
}

/// The field of a decoder's invalid_payload refusal ("" when it decoded).
template <class T>
std::string refused_field(const decoded<T>& d) {
  if (d.value) return "";
  EXPECT_EQ(d.error.code, "invalid_payload");
  EXPECT_FALSE(d.error.message.empty());
  return d.error.field;
}

// ---- guest ---------------------------------------------------------------------------------

TEST(GatewayCodec, GuestRoundTripsThroughItsOneJsonForm) {
  const app::guest with{"g_1", "Ada", "en-US", {"chess", "go"}};
  const app::guest without{"g_2", "Bob", "", {}};
  for (const auto& g : {with, without}) {
    const auto back = decode_guest(encode_guest(g));
    ASSERT_TRUE(back);
    EXPECT_EQ(back->id, g.id);
    EXPECT_EQ(back->username, g.username);
    EXPECT_EQ(back->language, g.language);
    EXPECT_EQ(back->interests, g.interests);
  }
  // The REST `user` form: no language is null, not "".
  EXPECT_EQ(json::serialize(encode_guest(without)),
            R"({"id":"g_2","username":"Bob","language":null,"interests":[]})");
  EXPECT_EQ(json::serialize(encode_guest(with)),
            R"({"id":"g_1","username":"Ada","language":"en-US","interests":["chess","go"]})");
}

TEST(GatewayCodec, DecodeGuestRefusesOtherShapes) {
  EXPECT_FALSE(decode_guest(json::value(nullptr)));
  EXPECT_FALSE(decode_guest(obj(R"({"id":"g","username":"u","interests":[]})")));
  EXPECT_FALSE(decode_guest(obj(R"({"id":1,"username":"u","language":null,"interests":[]})")));
  EXPECT_FALSE(decode_guest(obj(R"({"id":"g","username":"u","language":null,"interests":[1]})")));
  EXPECT_FALSE(decode_guest(obj(R"({"id":"g","username":"u","language":5,"interests":[]})")));
}

// ---- client payloads -----------------------------------------------------------------------

TEST(GatewayCodec, MatchRequestDecodesEveryField) {
  const auto o = obj(R"({"mode":"video","interests":["Chess"],"language":"EN-us",
                        "interestsOnly":true})");
  const auto d = decode_match(&o);
  ASSERT_TRUE(d.value);
  EXPECT_EQ(d.value->mode, app::match_mode::video);
  EXPECT_EQ(d.value->interests, std::vector<std::string>{"chess"});  // validated: lower case
  EXPECT_EQ(d.value->language, "en-US");                             // canonical case
  EXPECT_TRUE(d.value->interests_only);
  const auto bare = obj(R"({"mode":"text","interests":null,"language":null})");
  const auto b = decode_match(&bare);
  ASSERT_TRUE(b.value);
  EXPECT_FALSE(b.value->interests);
  EXPECT_FALSE(b.value->language);
  EXPECT_FALSE(b.value->interests_only);
}

TEST(GatewayCodec, MatchRequestRefusalsNameTheirField) {
  EXPECT_EQ(refused_field(decode_match(nullptr)), "payload");
  const std::pair<const char*, const char*> cases[] = {
      {R"({})", "mode"},
      {R"({"mode":"audio"})", "mode"},
      {R"({"mode":3})", "mode"},
      {R"({"mode":"text","interests":"chess"})", "interests"},
      {R"({"mode":"text","interests":[1]})", "interests"},
      {R"({"mode":"text","interests":["a\tb"]})", "interests"},
      {R"({"mode":"text","language":7})", "language"},
      {R"({"mode":"text","language":"english"})", "language"},
      {R"({"mode":"text","interestsOnly":null})", "interestsOnly"},
      {R"({"mode":"text","interestsOnly":"yes"})", "interestsOnly"},
  };
  for (const auto& [text, field] : cases) {
    const auto o = obj(text);
    EXPECT_EQ(refused_field(decode_match(&o)), field) << text;
  }
}

TEST(GatewayCodec, EventPayloadRefusalsNameTheirField) {
  const auto field = [](auto decode, const char* text) {
    if (text == nullptr) return refused_field(decode(nullptr));
    const auto o = obj(text);
    return refused_field(decode(&o));
  };
  EXPECT_EQ(field(decode_message, nullptr), "payload");
  EXPECT_EQ(field(decode_message, R"({"text":"hi"})"), "id");
  EXPECT_EQ(field(decode_message, R"({"id":1,"text":"hi"})"), "id");
  EXPECT_EQ(field(decode_message, R"({"id":"x","type":"image","text":"hi"})"), "type");
  EXPECT_EQ(field(decode_message, R"({"id":"x","text":5})"), "text");
  EXPECT_EQ(field(decode_message, R"({"id":"x","type":"text","text":"hi"})"), "");
  EXPECT_EQ(field(decode_message, R"({"id":"x","type":"file"})"), "fileId");
  EXPECT_EQ(field(decode_message, R"({"id":"x","type":"voice","fileId":7})"), "fileId");
  EXPECT_EQ(field(decode_message, R"({"id":"x","type":5,"text":"hi"})"), "type");
  EXPECT_EQ(field(decode_message, R"({"id":"x","type":"file","fileId":"f"})"), "");
  EXPECT_EQ(field(decode_delivered, nullptr), "ids");
  EXPECT_EQ(field(decode_delivered, R"({"ids":"x"})"), "ids");
  EXPECT_EQ(field(decode_delivered, R"({"ids":["x",2]})"), "ids");
  EXPECT_EQ(field(decode_read, nullptr), "upTo");
  EXPECT_EQ(field(decode_read, R"({"upTo":1})"), "upTo");
  EXPECT_EQ(field(decode_report, nullptr), "payload");
  EXPECT_EQ(field(decode_report, R"({})"), "reason");
  EXPECT_EQ(field(decode_report, R"({"reason":"spam","note":3})"), "note");
  EXPECT_EQ(field(decode_report, R"({"reason":"spam","note":null})"), "");
  EXPECT_EQ(field(decode_nothing, nullptr), "");
}

TEST(GatewayCodec, EventPayloadsKeepTheirValues) {
  const auto m = obj(R"({"id":"i","text":" hi "})");
  EXPECT_EQ(decode_message(&m).value->text, " hi ");  // the domain trims, not the decoder
  EXPECT_EQ(decode_message(&m).value->type, app::message_type::text);
  // A file message's other fields (a client's own "file" metadata, text) are ignored.
  const auto f = obj(R"({"id":"i","type":"voice","fileId":"abc","text":"x","file":{"name":"y"}})");
  const auto fm = decode_message(&f);
  ASSERT_TRUE(fm.value);
  EXPECT_EQ(fm.value->type, app::message_type::voice);
  EXPECT_EQ(fm.value->file_id, "abc");
  EXPECT_EQ(fm.value->text, "");
  const auto d = obj(R"({"ids":["a","b"]})");
  EXPECT_EQ(decode_delivered(&d).value->ids, (std::vector<std::string>{"a", "b"}));
  const auto r = obj(R"({"upTo":"u"})");
  EXPECT_EQ(decode_read(&r).value->up_to, "u");
  const auto rep = obj(R"({"reason":"spam","note":"n"})");
  EXPECT_EQ(decode_report(&rep).value->note, "n");
  const auto bare = obj(R"({"reason":"spam"})");
  EXPECT_FALSE(decode_report(&bare).value->note);
}

TEST(GatewayCodec, GuestRequestChecksUsernameThenLanguageThenInterests) {
  const auto field = [](const char* text) {
    return refused_field(decode_guest_request(obj(text), 10));
  };
  EXPECT_EQ(field(R"({"username":5,"language":5,"interests":5})"), "username");
  EXPECT_EQ(field(R"({"username":"a b","language":5,"interests":5})"), "username");
  EXPECT_EQ(field(R"({"username":"ok_name","language":5,"interests":5})"), "language");
  EXPECT_EQ(field(R"({"language":"en","interests":5})"), "interests");
  EXPECT_EQ(field(R"({"interests":["a","b","c"]})"), "");
  EXPECT_EQ(refused_field(decode_guest_request(obj(R"({"interests":["a","b","c"]})"), 2)),
            "interests");
  const auto d = decode_guest_request(obj(R"({"username":"","language":"fr"})"), 10);
  ASSERT_TRUE(d.value);
  EXPECT_FALSE(d.value->username);  // "" counts as absent: generated by the REST handler
  EXPECT_EQ(d.value->language, "fr");
}

// ---- domain → JSON -------------------------------------------------------------------------

TEST(GatewayCodec, OutgoingPayloadsHaveTheDocumentedForm) {
  EXPECT_EQ(json::serialize(encode_stats({3, 1, 2})), R"({"online":3,"searching":1,"chatting":2})");
  EXPECT_EQ(
      json::serialize(encode_message({"m1", "hi", 1700, app::message_type::text, std::nullopt})),
      R"({"id":"m1","type":"text","text":"hi","timestamp":1700})");
  app::chat_message fm{"m2", "", 1800, app::message_type::voice, std::nullopt};
  fm.file = app::attachment{
      "f1", "a b.webm", 2048, "audio/webm", app::file_kind::voice, std::chrono::milliseconds(2500),
      "cap"};
  EXPECT_EQ(
      json::serialize(encode_message(fm)),
      R"({"id":"m2","type":"voice","file":{"name":"a b.webm","size":2048,"mime":"audio/webm",)"
      R"("kind":"voice","url":"/api/files/f1?k=cap","duration":2.5E0},"timestamp":1800})");
  app::matched_event e{"r1", app::match_mode::video, "Ada", "", {"go"}, true};
  EXPECT_EQ(json::serialize(encode_matched(e)),
            R"({"roomId":"r1","mode":"video","partner":{"username":"Ada","language":null},)"
            R"("commonInterests":["go"],"polite":true})");
  e.partner_language = "de";
  EXPECT_EQ(encode_matched(e).at("partner").at("language"), "de");
  EXPECT_EQ(json::serialize(encode_hello({"g", "Ada", "", {}})),
            R"({"userId":"g","username":"Ada"})");
  EXPECT_EQ(json::serialize(encode_delivered({"a"})), R"({"ids":["a"]})");
  EXPECT_EQ(json::serialize(encode_read("u")), R"({"upTo":"u"})");
  EXPECT_EQ(json::serialize(encode_ended("partner_left")), R"({"reason":"partner_left"})");
  EXPECT_EQ(json::serialize(encode_partner_connection("back")), R"({"state":"back"})");
}

TEST(GatewayCodec, ErrorsEncodeFromTheTable) {
  EXPECT_EQ(json::serialize(encode_ack_error(app::chat_error::of(app::error::not_in_chat))),
            R"({"ok":false,"error":{"code":"not_in_chat","message":"you are not in a chat"}})");
  auto limited = app::chat_error::of(app::error::rate_limited);
  limited.retry_after_ms = 0;  // zero is a value, sent
  EXPECT_EQ(encode_ack_error(limited).at("error").at("retryAfterMs"), 0);
  EXPECT_EQ(json::serialize(encode_ack_error(invalid("ids", "ids must be an array"))),
            R"({"ok":false,"error":{"code":"invalid_payload","message":"ids must be an array",)"
            R"("field":"ids"}})");
  EXPECT_EQ(json::serialize(encode_connect_refusal(app::error::token_expired)),
            R"({"message":"the token has expired","data":{"code":"token_expired",)"
            R"("message":"the token has expired"}})");
  EXPECT_EQ(encode_connect_refusal(app::error::token_invalid, "a guest token is required")
                .at("data")
                .at("message"),
            "a guest token is required");
}

TEST(GatewayCodec, AcksAddTheirFieldsToOk) {
  using app::match_state;
  EXPECT_EQ(json::serialize(encode_ack(app::chat_result<app::none>{app::none{}, {}})),
            R"({"ok":true})");
  EXPECT_EQ(json::serialize(encode_ack(app::chat_result<search_reply>{
                search_reply{match_state::searching, std::chrono::milliseconds(4200)}, {}})),
            R"({"state":"searching","fallbackInMs":4200,"ok":true})");
  EXPECT_EQ(json::serialize(encode_ack(app::chat_result<search_reply>{
                search_reply{match_state::searching, std::nullopt}, {}})),
            R"({"state":"searching","fallbackInMs":null,"ok":true})");
  EXPECT_EQ(json::serialize(encode_ack(app::chat_result<search_reply>{
                search_reply{match_state::matched, std::nullopt}, {}})),
            R"({"state":"matched","ok":true})");
  EXPECT_EQ(json::serialize(encode_ack(app::chat_result<app::chat_message>{
                app::chat_message{"m", "", 9, app::message_type::text, std::nullopt}, {}})),
            R"({"id":"m","timestamp":9,"ok":true})");
  const app::chat_result<app::none> refused{std::nullopt,
                                            app::chat_error::of(app::error::queue_full)};
  EXPECT_EQ(encode_ack(refused).at("error").at("code"), "queue_full");
}

}  // namespace
}  // namespace hw::gateway

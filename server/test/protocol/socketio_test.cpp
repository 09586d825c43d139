#include "protocol/socketio.hpp"

#include <gtest/gtest.h>

#include <boost/json.hpp>
#include <charconv>
#include <cmath>
#include <cstring>
#include <limits>
#include <random>
#include <string>
#include <vector>

namespace hw::protocol::sio {
namespace {

namespace json = boost::json;
using namespace std::string_literals;

bool same(const packet& a, const packet& b) {
  return a.type == b.type && a.nsp == b.nsp && a.id == b.id && a.has_data == b.has_data &&
         a.data == b.data && a.attachments == b.attachments;
}

std::string show(const packet& p) {
  std::string s = "{type " + std::to_string(static_cast<int>(p.type)) + ", nsp " + p.nsp;
  if (p.id) s += ", id " + std::to_string(*p.id);
  if (p.has_data) s += ", data " + json::serialize(p.data);
  return s + ", attachments " + std::to_string(p.attachments) + "}";
}

packet decoded(std::string_view in, const decode_limits& lim = {}) {
  packet p;
  EXPECT_EQ(decode(in, p, lim), decode_error::none) << in;
  return p;
}

decode_error error_of(std::string_view in, const decode_limits& lim = {}) {
  packet p;
  return decode(in, p, lim);
}

std::string encoded(const packet& p) {
  std::string s;
  encode(s, p);
  return s;
}

packet make(packet_type t, std::string nsp, std::string_view data_json,
            std::optional<std::uint64_t> id = {}, std::size_t attachments = 0) {
  packet p;
  p.type = t;
  p.nsp = std::move(nsp);
  p.id = id;
  if (!data_json.empty()) {
    p.data = json::parse(data_json);
    p.has_data = true;
  }
  p.attachments = attachments;
  return p;
}

std::string nested_arrays(std::size_t depth) {
  return std::string(depth, '[') + "1" + std::string(depth, ']');
}

// Valid packets: the protocol document's examples, socket.io-parser's test cases, edge cases.
const std::vector<std::string>& valid_packets() {
  static const std::vector<std::string> v = {
      "0",
      "0/admin,{\"sid\":\"oSO0OpakMV_3jnilAAAA\"}",
      "0/admin,{\"token\":\"123\"}",
      "0{\"token\":\"x\"}",
      "0/admin,",
      "0/admin",
      "4{\"message\":\"Not authorized\"}",
      "4\"Unauthorized\"",
      "4/woot,{\"message\":\"x\",\"data\":{\"a\":[1,2]}}",
      "2[\"foo\"]",
      "2/admin,[\"bar\"]",
      "2[\"hello\",1]",
      "2[\"a\",1,{}]",
      "2[1,\"a\",{}]",
      "2[-1.5e3]",
      "2/test,1[\"a\",1,{}]",
      "2/chat,12[\"hi\"]",
      "212[\"foo\"]",
      "2/admin,1[\"tellme\"]",
      "2[\"hello\",\"\xe2\x82\xac\xf0\x9f\x98\x80\",\"\\ud83d\\ude00\"]",
      "2[\"connected\",\"Connect\",\"disconnect \"]",
      "2999999999999999[\"max id\"]",
      "51-[\"baz\",{\"_placeholder\":true,\"num\":0}]",
      "52-/admin,[\"baz\",{\"_placeholder\":true,\"num\":0},{\"_placeholder\":true,\"num\":1}]",
      "510-/a,7[\"ten\"]",
      "3/admin,13[\"bar\"]",
      "3123[\"a\",1,{}]",
      "31[]",
      "61-15[\"bar\",{\"_placeholder\":true,\"num\":0}]",
      "61-/admin,1[{\"_placeholder\":true,\"num\":0}]",
      "1",
      "1/admin,",
      "1/woot",
      "0/caf\xc3\xa9,",
      "0/\xf0\x9f\x98\x80,{}",
      "2/,[\"root\"]",
  };
  return v;
}

// --- the protocol document's examples ---

TEST(SioDecode, ProtocolExamples) {
  auto p = decoded("0");
  EXPECT_EQ(p.type, packet_type::connect);
  EXPECT_EQ(p.nsp, "/");
  EXPECT_FALSE(p.has_data);
  EXPECT_FALSE(p.id);

  p = decoded("0/admin,{\"sid\":\"oSO0OpakMV_3jnilAAAA\"}");
  EXPECT_EQ(p.nsp, "/admin");
  EXPECT_EQ(p.data, json::parse(R"({"sid":"oSO0OpakMV_3jnilAAAA"})"));

  p = decoded("4{\"message\":\"Not authorized\"}");
  EXPECT_EQ(p.type, packet_type::connect_error);
  EXPECT_EQ(p.data.at("message"), json::value("Not authorized"));

  p = decoded("2/admin,[\"bar\"]");
  EXPECT_EQ(p.type, packet_type::event);
  EXPECT_EQ(p.nsp, "/admin");
  EXPECT_EQ(p.data, json::parse(R"(["bar"])"));

  p = decoded(
      "52-/admin,[\"baz\",{\"_placeholder\":true,\"num\":0},{\"_placeholder\":true,"
      "\"num\":1}]");
  EXPECT_EQ(p.type, packet_type::binary_event);
  EXPECT_EQ(p.attachments, 2U);
  EXPECT_EQ(p.nsp, "/admin");
  EXPECT_TRUE(placeholders_valid(p.data, p.attachments));

  p = decoded("212[\"foo\"]");
  EXPECT_EQ(p.id, 12U);

  p = decoded("3/admin,13[\"bar\"]");
  EXPECT_EQ(p.type, packet_type::ack);
  EXPECT_EQ(p.id, 13U);

  p = decoded("61-15[\"bar\",{\"_placeholder\":true,\"num\":0}]");
  EXPECT_EQ(p.type, packet_type::binary_ack);
  EXPECT_EQ(p.attachments, 1U);
  EXPECT_EQ(p.id, 15U);

  p = decoded("1/admin,");
  EXPECT_EQ(p.type, packet_type::disconnect);
  EXPECT_EQ(p.nsp, "/admin");
}

TEST(SioEncode, ProtocolExamples) {
  EXPECT_EQ(encoded(make(packet_type::connect, "/", "")), "0");
  EXPECT_EQ(encoded(make(packet_type::connect, "/admin", R"({"sid":"oSO0OpakMV_3jnilAAAA"})")),
            R"(0/admin,{"sid":"oSO0OpakMV_3jnilAAAA"})");
  EXPECT_EQ(encoded(make(packet_type::connect_error, "/", R"({"message":"Not authorized"})")),
            R"(4{"message":"Not authorized"})");
  EXPECT_EQ(encoded(make(packet_type::event, "/", R"(["foo"])")), R"(2["foo"])");
  EXPECT_EQ(encoded(make(packet_type::event, "/admin", R"(["bar"])")), R"(2/admin,["bar"])");
  EXPECT_EQ(encoded(make(packet_type::binary_event, "/", R"(["baz",{"_placeholder":true,"num":0}])",
                         {}, 1)),
            R"(51-["baz",{"_placeholder":true,"num":0}])");
  EXPECT_EQ(encoded(make(packet_type::event, "/", R"(["foo"])", 12)), R"(212["foo"])");
  EXPECT_EQ(encoded(make(packet_type::ack, "/admin", R"(["bar"])", 13)), R"(3/admin,13["bar"])");
  EXPECT_EQ(encoded(make(packet_type::binary_ack, "/", R"(["bar",{"_placeholder":true,"num":0}])",
                         15, 1)),
            R"(61-15["bar",{"_placeholder":true,"num":0}])");
  EXPECT_EQ(encoded(make(packet_type::disconnect, "/", "")), "1");
  EXPECT_EQ(encoded(make(packet_type::disconnect, "/admin", "")), "1/admin,");
  EXPECT_EQ(encoded(make(packet_type::event, "", R"(["x"])")), R"(2["x"])");  // "" is "/"
  std::string out = "4";
  encode(out, make(packet_type::event, "/", R"(["hey","Jude"])"));
  EXPECT_EQ(out, R"(42["hey","Jude"])");  // appends
}

// --- socket.io-parser's rules ---

TEST(SioReject, ParserTestSuite) {
  // socket.io-parser test/parser.js: "throw an error upon parsing error"
  EXPECT_EQ(error_of("442[\"some\",\"data\""), decode_error::bad_json);
  EXPECT_EQ(error_of("0/admin,\"invalid\""), decode_error::invalid_payload);
  EXPECT_EQ(error_of("0[]"), decode_error::invalid_payload);
  EXPECT_EQ(error_of("1/admin,{}"), decode_error::invalid_payload);
  EXPECT_EQ(error_of("2/admin,\"invalid"), decode_error::bad_json);
  EXPECT_EQ(error_of("2/admin,{}"), decode_error::invalid_payload);
  EXPECT_EQ(error_of("2[{\"toString\":\"foo\"}]"), decode_error::invalid_payload);
  EXPECT_EQ(error_of("2[true,\"foo\"]"), decode_error::invalid_payload);
  EXPECT_EQ(error_of("2[null,\"bar\"]"), decode_error::invalid_payload);
  EXPECT_EQ(error_of("2[\"connect\"]"), decode_error::reserved_event);
  EXPECT_EQ(error_of("2[\"disconnect\",\"123\"]"), decode_error::reserved_event);
  for (const auto* s : {"5", "51", "50-", "5a-", "51.23-"}) {
    EXPECT_EQ(error_of(s), decode_error::bad_attachments) << s;
  }
  EXPECT_EQ(error_of("999"), decode_error::bad_type);
  // "throws an error when receiving too many attachments" (maxAttachments: 2)
  EXPECT_EQ(error_of("53-[\"hello\",{\"_placeholder\":true,\"num\":0},{\"_placeholder\":true,"
                     "\"num\":1},{\"_placeholder\":true,\"num\":2}]",
                     {.max_attachments = 2}),
            decode_error::bad_attachments);
}

TEST(SioReject, Type) {
  EXPECT_EQ(error_of(""), decode_error::empty);
  for (const auto& s :
       std::vector<std::string>{"7", "8[]", "9", "a", "/", " 2[\"a\"]", "-1", "\x00"s, "\xff"}) {
    EXPECT_EQ(error_of(s), decode_error::bad_type) << s;
  }
}

TEST(SioReject, Attachments) {
  for (const std::string s : {"5[\"a\"]",                       // missing count and '-'
                              "51[\"a\"]",                      // missing '-'
                              "5-[\"a\"]",                      // empty count
                              "50-[\"a\"]",                     // zero (socket.io-parser: n < 1)
                              "511-[\"a\"]",                    // over the default limit of 10
                              "5999999999999999999-[\"a\"]",    // overflows 32 bits, and the limit
                              "518446744073709551616-[\"a\"]",  // overflows 64 bits
                              "599999999999999999999999999999999999999999-[\"a\"]", "5+1-[\"a\"]",
                              "5 1-[\"a\"]", "51 -[\"a\"]", "50x1-[\"a\"]", "51e0-[\"a\"]",
                              "5/a,1-[\"a\"]",  // the count comes first
                              "6-1[]", "6[]", "61[]"}) {
    EXPECT_EQ(error_of(s), decode_error::bad_attachments) << s;
  }
  // Attachment counts on types that have none.
  for (const auto* s : {"21-[\"a\"]", "01-{}", "31-[]", "11-", "41-\"x\"", "210-[\"a\"]"}) {
    EXPECT_EQ(error_of(s), decode_error::bad_attachments) << s;
  }
  // Limits, leading zeros.
  EXPECT_EQ(decoded("510-[\"a\"]").attachments, 10U);
  EXPECT_EQ(decoded("5010-[\"a\"]").attachments, 10U);
  EXPECT_EQ(decoded("511-[\"a\"]", {.max_attachments = 11}).attachments, 11U);
  EXPECT_EQ(error_of("51-[\"a\"]", {.max_attachments = 0}), decode_error::bad_attachments);
  decode_limits huge;
  huge.max_attachments = std::numeric_limits<std::size_t>::max();
  EXPECT_EQ(error_of("5999999999999999999999999999-[\"a\"]", huge), decode_error::none);
}

TEST(SioReject, Namespace) {
  for (const auto& s : std::vector<std::string>{"0/\xff,",              // not UTF-8
                                                "0/a\x01,",             // control character
                                                "0/a\x7f",              // DEL
                                                "0/a\nb,{}",            // newline
                                                "0/\0,"s,               // NUL
                                                "0/\xc0\xaf,",          // overlong '/'
                                                "0/\xe0\x80\xaf,",      // overlong
                                                "0/\xed\xa0\x80,",      // UTF-16 surrogate
                                                "0/\xe2\x82,",          // truncated
                                                "0/\xe2\x82",           // truncated at the end
                                                "0/\xf4\x90\x80\x80,",  // past U+10FFFF
                                                "0/\x80,",              // lone continuation byte
                                                "2/\xff,[\"a\"]"}) {
    EXPECT_EQ(error_of(s), decode_error::bad_namespace) << s;
  }
  // The namespace runs to the first ',' or to the end of the packet.
  EXPECT_EQ(decoded("0/admin").nsp, "/admin");
  EXPECT_EQ(decoded("0/").nsp, "/");
  EXPECT_EQ(decoded("0/,").nsp, "/");
  EXPECT_EQ(decoded("0/a b,").nsp, "/a b");
  EXPECT_EQ(decoded("0/a{\"x\":1}").nsp, "/a{\"x\":1}");  // no ',' so no payload
}

TEST(SioReject, Id) {
  EXPECT_EQ(decoded("2999999999999999[\"a\"]").id, 999'999'999'999'999U);
  EXPECT_EQ(error_of("21000000000000000[\"a\"]"), decode_error::bad_id);  // 16 digits
  EXPECT_EQ(error_of("29007199254740993[\"a\"]"), decode_error::bad_id);
  EXPECT_EQ(error_of("2/a,99999999999999999999999999999999[\"a\"]"), decode_error::bad_id);
  EXPECT_EQ(error_of("31000000000000000[]"), decode_error::bad_id);
  // The id is the run of digits: the first other character starts the payload.
  EXPECT_EQ(decoded("2007[\"a\"]").id, 7U);
  EXPECT_EQ(error_of("21a"), decode_error::bad_json);
  EXPECT_EQ(error_of("21 2[\"a\"]"), decode_error::bad_json);
  EXPECT_EQ(decoded("21 [\"a\"]").id, 1U);
  EXPECT_FALSE(decoded("2 [\"a\"]").id);
  EXPECT_EQ(error_of("212"), decode_error::invalid_payload);  // an id, no payload
  // ACK needs an id; CONNECT and DISCONNECT may carry one (socket.io-parser keeps it).
  EXPECT_EQ(error_of("3[]"), decode_error::bad_id);
  EXPECT_EQ(error_of("3/admin,[\"x\"]"), decode_error::bad_id);
  EXPECT_EQ(error_of("3"), decode_error::bad_id);
  EXPECT_EQ(error_of("61-[{\"_placeholder\":true,\"num\":0}]"), decode_error::bad_id);
  EXPECT_EQ(decoded("11").id, 1U);
  EXPECT_EQ(decoded("05{}").id, 5U);
}

TEST(SioReject, PayloadShapes) {
  const std::pair<const char*, decode_error> cases[] = {
      // CONNECT: absent or an object
      {"0[]", decode_error::invalid_payload},
      {"0[{}]", decode_error::invalid_payload},
      {"0\"x\"", decode_error::invalid_payload},
      {"0null", decode_error::invalid_payload},
      {"01{}", decode_error::none},
      // DISCONNECT: nothing
      {"1{}", decode_error::invalid_payload},
      {"1[]", decode_error::invalid_payload},
      {"1\"bye\"", decode_error::invalid_payload},
      {"1/admin,null", decode_error::invalid_payload},
      // CONNECT_ERROR: string or object
      {"4", decode_error::invalid_payload},
      {"4[]", decode_error::invalid_payload},
      {"41", decode_error::invalid_payload},
      {"4null", decode_error::invalid_payload},
      {"4\"\"", decode_error::none},
      {"4{}", decode_error::none},
      // EVENT: non-empty array, string (not reserved) or number first
      {"2", decode_error::invalid_payload},
      {"2/chat,", decode_error::invalid_payload},
      {"2/chat[\"a\"]", decode_error::invalid_payload},  // all namespace, no payload
      {"2[]", decode_error::invalid_payload},
      {"2{}", decode_error::invalid_payload},
      {"2\"a\"", decode_error::invalid_payload},
      {"2null", decode_error::invalid_payload},
      {"2[[\"a\"]]", decode_error::invalid_payload},
      {"2[{}]", decode_error::invalid_payload},
      {"2[false]", decode_error::invalid_payload},
      {"2[0]", decode_error::none},
      {"2[-0.5,1]", decode_error::none},
      {"2[\"\"]", decode_error::none},
      {"51-[]", decode_error::invalid_payload},
      {"51-{}", decode_error::invalid_payload},
      {"51-", decode_error::invalid_payload},
      // ACK: an array, possibly empty
      {"312", decode_error::invalid_payload},
      {"31{}", decode_error::invalid_payload},
      {"31\"a\"", decode_error::invalid_payload},
      {"31null", decode_error::invalid_payload},
      {"31[]", decode_error::none},
      {"31[null]", decode_error::none},
      {"61-1[]", decode_error::none},
      {"61-1{}", decode_error::invalid_payload},
  };
  for (const auto& [in, want] : cases)
    EXPECT_EQ(error_of(in), want) << in;
}

TEST(SioReject, ReservedEvents) {
  for (const auto* name : {"connect", "connect_error", "disconnect", "disconnecting", "newListener",
                           "removeListener"}) {
    for (const auto* prefix : {"2", "2/admin,", "21", "51-", "51-/x,3"}) {
      const std::string in = std::string(prefix) + "[\"" + name + "\",1]";
      EXPECT_EQ(error_of(in), decode_error::reserved_event) << in;
    }
    // Only the event name is checked.
    EXPECT_EQ(error_of(std::string("2[\"ok\",\"") + name + "\"]"), decode_error::none);
    // ACK payloads are not event names.
    EXPECT_EQ(error_of(std::string("31[\"") + name + "\"]"), decode_error::none);
  }
  for (const auto* name : {"Connect", "connect ", "connected", "newlistener", "error", "message"}) {
    EXPECT_EQ(error_of(std::string("2[\"") + name + "\"]"), decode_error::none) << name;
  }
}

TEST(SioReject, BadJson) {
  for (const auto& s : std::vector<std::string>{"2[\"a\"",
                                                "2[a]",
                                                "2['a']",
                                                "2[\"a\",]",
                                                "2[\"a\"] x",
                                                "2[\"a\"][]",
                                                "2 ",
                                                "2\t",
                                                "2[\"\x01\"]",
                                                "2[\"\xff\"]",
                                                "2[\"\xc0\xaf\"]",
                                                "2[\"a\"]//c",
                                                "2[\"a\" /*c*/]",
                                                "2[NaN]",
                                                "2[Infinity]",
                                                "2[01]",
                                                "2[1.]",
                                                "2[.5]",
                                                "2[\"\\x41\"]",
                                                "0{\"a\":}",
                                                "0{a:1}",
                                                "2[\"\\ud800\",]",
                                                "2[\"a\"]\0"s,
                                                "4'x'",
                                                "2\"\\u12\""}) {
    EXPECT_EQ(error_of(s), decode_error::bad_json) << s;
  }
}

TEST(SioReject, TooDeep) {
  const auto at = [](std::size_t depth) { return "2[\"a\"," + nested_arrays(depth - 1) + "]"; };
  EXPECT_EQ(error_of(at(32)), decode_error::none);
  EXPECT_EQ(error_of(at(33)), decode_error::bad_json);
  EXPECT_EQ(error_of(at(4), {.max_depth = 4}), decode_error::none);
  EXPECT_EQ(error_of(at(5), {.max_depth = 4}), decode_error::bad_json);
  EXPECT_EQ(error_of("0{\"a\":{\"b\":{\"c\":{}}}}", {.max_depth = 3}), decode_error::bad_json);
  // Far deeper than any stack would survive: refused without recursion.
  EXPECT_EQ(error_of("2" + std::string(1'000'000, '[')), decode_error::bad_json);
  EXPECT_EQ(error_of("2[\"a\"," + nested_arrays(100'000) + "]"), decode_error::bad_json);
}

TEST(SioReject, NumbersOutsideDoubleRange) {
  // JSON.parse makes these Infinity, which cannot be written back as the same JSON.
  for (const auto* s : {"2[\"a\",1e400]", "2[\"a\",-1e400]", "2[1e309]", "0{\"x\":[1e99999]}",
                        "31[{\"a\":{\"b\":-1E+400}}]"}) {
    EXPECT_EQ(error_of(s), decode_error::bad_json) << s;
  }
  EXPECT_EQ(error_of("2[\"a\"," + std::string(400, '9') + "]"), decode_error::bad_json);
  EXPECT_EQ(error_of("2[\"a\",1e308,1e-400,18446744073709551616]"), decode_error::none);
}

TEST(SioDecode, LoneSurrogatesBecomeReplacementCharacters) {
  const std::string fffd = "\xef\xbf\xbd";
  auto p = decoded(R"(2["a\ud83d"])");
  EXPECT_EQ(p.data.at(0), json::value("a" + fffd));
  p = decoded(R"(2["\ude00x","\ud83d\ude00","\ud800\ud800\udc00"])");
  EXPECT_EQ(p.data, json::parse("[\"" + fffd + "x\",\"\xf0\x9f\x98\x80\",\"" + fffd +
                                "\xf0\x90\x80\x80\"]"));
  p = decoded(R"(0{"\udbff":"\\ud800"})");  // in keys; an escaped backslash is no escape
  EXPECT_EQ(p.data.as_object().begin()->key(), fffd);
  EXPECT_EQ(p.data.at(fffd), json::value("\\ud800"));
  EXPECT_EQ(error_of(R"(2["\ud800",])"), decode_error::bad_json);
  EXPECT_EQ(error_of(R"(2["\ud800"])" + "\x01"s), decode_error::bad_json);
}

// JSON.parse rounds correctly; Boost.JSON 1.81 alone is one ULP off for many doubles (e.g.
// 0.11935319286735585), which a relay would pass on.
TEST(SioDecode, DoublesAreReadExactly) {
  std::mt19937_64 rng(3);
  std::uniform_real_distribution<double> unit(0, 1);
  for (int i = 0; i < 20'000; ++i) {
    std::uint64_t bits = rng();
    double d = 0;
    std::memcpy(&d, &bits, sizeof d);
    if (i % 2 == 0) d = unit(rng);
    if (!std::isfinite(d)) continue;
    char buf[64];
    const auto r = std::to_chars(buf, buf + sizeof buf, d);
    const std::string in = "2[\"n\"," + std::string(buf, r.ptr) + "]";
    packet p;
    ASSERT_EQ(decode(in, p), decode_error::none) << in;
    const auto& got = p.data.at(1);
    // Integral values may come back as integers; the value must be the same number.
    ASSERT_EQ(got.is_double() ? got.get_double() : got.to_number<double>(), d) << in;
  }
  EXPECT_EQ(decoded("2[\"n\",0.11935319286735585]").data.at(1).as_double(), 0.11935319286735585);
  EXPECT_EQ(decoded("2[\"n\"," + std::string(88, '1') + "]").data.at(1).as_double(),
            1.1111111111111111e87);
  EXPECT_EQ(decoded("2[\"n\",1e-400,-1e-400]").data.at(1).as_double(), 0.0);
}

TEST(SioDecode, DuplicateKeysKeepTheLast) {  // as JSON.parse does
  EXPECT_EQ(decoded(R"(0{"a":1,"a":2})").data, json::parse(R"({"a":2})"));
}

TEST(SioDecode, ResetsTheOutputPacket) {
  packet p;
  ASSERT_EQ(decode("51-/admin,7[\"a\",{\"_placeholder\":true,\"num\":0}]", p), decode_error::none);
  ASSERT_EQ(decode("0", p), decode_error::none);
  packet fresh;
  fresh.type = packet_type::connect;
  EXPECT_TRUE(same(p, fresh)) << show(p);
}

// --- round trips and prefixes ---

TEST(SioRoundTrip, DecodeEncodeDecode) {
  for (const auto& in : valid_packets()) {
    packet p;
    ASSERT_EQ(decode(in, p), decode_error::none) << in;
    const auto wire = encoded(p);
    packet q;
    ASSERT_EQ(decode(wire, q), decode_error::none) << in << " -> " << wire;
    EXPECT_TRUE(same(p, q)) << in << " -> " << wire << ": " << show(p) << " vs " << show(q);
    EXPECT_EQ(encoded(q), wire) << "encoding is stable";
  }
}

TEST(SioRoundTrip, EncodeDecode) {
  const packet packets[] = {
      make(packet_type::connect, "/", ""),
      make(packet_type::connect, "/admin", R"({"token":"x","n":[1,2.5,-3,true,null]})"),
      make(packet_type::disconnect, "/a/b", ""),
      make(packet_type::event, "/", R"(["hello",{"nested":{"deep":[[[]]]}}])", 0),
      make(packet_type::event, "/", R"([42,"numeric name"])"),
      make(packet_type::event, "/\xc3\xa9", R"(["\u0000\n\"\\","\u00e9\ud83d\ude00"])",
           999'999'999'999'999),
      make(packet_type::ack, "/", "[]", 1),
      make(packet_type::connect_error, "/x", R"("Not authorized")"),
      make(packet_type::binary_event, "/", R"(["up",{"_placeholder":true,"num":0}])", 3, 1),
      make(packet_type::binary_ack, "/n",
           R"([{"_placeholder":true,"num":1},{"_placeholder":true,"num":0}])", 4, 2),
      make(packet_type::event, "/", R"(["d",1.5,-0.0,1e-300,1.7976931348623157e308,5e-324])"),
      make(packet_type::event, "/",
           R"(["i",9223372036854775807,-9223372036854775808,18446744073709551615])"),
  };
  for (const auto& p : packets) {
    const auto wire = encoded(p);
    packet q;
    ASSERT_EQ(decode(wire, q), decode_error::none) << wire;
    EXPECT_TRUE(same(p, q)) << wire << ": " << show(q);
  }
}

TEST(SioEncode, NonFiniteNumbersBecomeNull) {  // as JSON.stringify does
  packet p = make(packet_type::event, "/", R"(["x"])");
  p.data.as_array().emplace_back(std::numeric_limits<double>::quiet_NaN());
  p.data.as_array().emplace_back(std::numeric_limits<double>::infinity());
  p.data.as_array().emplace_back(json::object{{"k", -std::numeric_limits<double>::infinity()}});
  EXPECT_EQ(encoded(p), R"(2["x",null,null,{"k":null}])");
  EXPECT_TRUE(std::isnan(p.data.at(1).as_double())) << "the packet itself is left alone";
  // The words inside strings are no numbers.
  EXPECT_EQ(encoded(make(packet_type::event, "/", R"(["NaN","-Infinity",{"NaN":1}])")),
            R"(2["NaN","-Infinity",{"NaN":1}])");
}

// Every proper prefix of a valid packet is rejected or decodes to a different packet; the only
// exception is dropping the ',' that ends a namespace ("0/admin" is "0/admin,").
TEST(SioPrefix, EveryPrefixIsAnotherPacketOrRejected) {
  for (const auto& in : valid_packets()) {
    const auto whole = decoded(in);
    for (std::size_t len = 0; len < in.size(); ++len) {
      packet p;
      const auto e = decode(std::string_view(in).substr(0, len), p);
      if (e != decode_error::none) continue;
      if (in.substr(len) == ",") {
        EXPECT_TRUE(same(p, whole)) << in;
        continue;
      }
      EXPECT_FALSE(same(p, whole)) << "prefix " << len << " of " << in << ": " << show(p);
    }
  }
}

// Random bytes and mutated packets: decoding never throws, and what decodes round-trips.
TEST(SioRoundTrip, RandomInputs) {
  std::mt19937 rng(7);
  const std::string alphabet = "0123456/,-[]{}\":ab_\\u d8e9.";
  std::size_t ok = 0;
  for (int i = 0; i < 30'000; ++i) {
    std::string in;
    if (i % 2 == 0) {
      const auto& base = valid_packets()[rng() % valid_packets().size()];
      in = base;
      for (int m = 0; m < 1 + static_cast<int>(rng() % 3); ++m) {
        const auto pos = rng() % (in.size() + 1);
        const char c = alphabet[rng() % alphabet.size()];
        switch (rng() % 3) {
          case 0:
            in.insert(pos, 1, c);
            break;
          case 1:
            if (pos < in.size()) in.erase(pos, 1);
            break;
          default:
            if (pos < in.size()) in[pos] = c;
        }
      }
    } else {
      in.resize(rng() % 16);
      for (auto& c : in)
        c = alphabet[rng() % alphabet.size()];
    }
    packet p;
    decode_error e{};
    ASSERT_NO_THROW(e = decode(in, p)) << in;
    if (e != decode_error::none) continue;
    ++ok;
    packet q;
    ASSERT_EQ(decode(encoded(p), q), decode_error::none) << in;
    ASSERT_TRUE(same(p, q)) << in << " -> " << encoded(p);
  }
  EXPECT_GT(ok, 1000U);
}

// --- placeholders ---

TEST(SioPlaceholder, IsPlaceholder) {
  std::size_t index = 99;
  EXPECT_TRUE(is_placeholder(json::parse(R"({"_placeholder":true,"num":0})"), 1, index));
  EXPECT_EQ(index, 0U);
  EXPECT_TRUE(is_placeholder(json::parse(R"({"num":2,"_placeholder":true})"), 3, index));
  EXPECT_EQ(index, 2U);
  EXPECT_TRUE(is_placeholder(json::parse(R"({"_placeholder":true,"num":1.0})"), 2, index));
  EXPECT_EQ(index, 1U);
  // socket.io-parser ignores other keys.
  EXPECT_TRUE(is_placeholder(json::parse(R"({"_placeholder":true,"num":0,"x":1})"), 1, index));
  for (const auto* bad :
       {R"({"_placeholder":true,"num":1})", R"({"_placeholder":true,"num":-1})",
        R"({"_placeholder":true,"num":0.5})", R"({"_placeholder":true,"num":"0"})",
        R"({"_placeholder":true,"num":null})", R"({"_placeholder":true})",
        R"({"_placeholder":"true","num":0})", R"({"_placeholder":1,"num":0})",
        R"({"_placeholder":false,"num":0})", R"({"num":0})", R"([0])", "0",
        R"({"_placeholder":true,"num":18446744073709551615})",
        R"({"_placeholder":true,"num":1e300})"}) {
    EXPECT_FALSE(is_placeholder(json::parse(bad), 1, index)) << bad;
  }
}

TEST(SioPlaceholder, Valid) {
  const auto ph = [](int n) { return R"({"_placeholder":true,"num":)" + std::to_string(n) + "}"; };
  EXPECT_TRUE(placeholders_valid(json::parse(R"(["a"])"), 0));
  EXPECT_TRUE(placeholders_valid(json::parse("[\"a\"," + ph(0) + "]"), 1));
  EXPECT_TRUE(placeholders_valid(json::parse("[" + ph(1) + ",{\"x\":[" + ph(0) + "]}]"), 2));
  // A placeholder's own keys are not searched.
  EXPECT_TRUE(placeholders_valid(
      json::parse(R"([{"_placeholder":true,"num":0,"x":{"_placeholder":true,"num":0}}])"), 1));
  // "_placeholder" other than true marks an ordinary object.
  EXPECT_TRUE(placeholders_valid(json::parse(R"([{"_placeholder":false,"num":7}])"), 0));

  EXPECT_FALSE(placeholders_valid(json::parse("[\"a\"," + ph(0) + "]"), 2));          // unused
  EXPECT_FALSE(placeholders_valid(json::parse("[" + ph(0) + "," + ph(0) + "]"), 2));  // twice
  EXPECT_FALSE(placeholders_valid(json::parse("[" + ph(0) + "," + ph(0) + "]"), 1));
  EXPECT_FALSE(placeholders_valid(json::parse("[" + ph(1) + "]"), 1));  // out of range
  EXPECT_FALSE(placeholders_valid(json::parse(R"([{"_placeholder":true}])"), 1));
  EXPECT_FALSE(placeholders_valid(json::parse(R"([{"_placeholder":true,"num":-1}])"), 0));
  EXPECT_FALSE(placeholders_valid(json::parse(R"(["a"])"), 1));

  // More than 64 attachments: the other bookkeeping.
  std::string many = "[";
  for (int i = 0; i < 70; ++i)
    many += (i != 0 ? "," : "") + ph(69 - i);
  EXPECT_TRUE(placeholders_valid(json::parse(many + "]"), 70));
  EXPECT_FALSE(placeholders_valid(json::parse(many + "," + ph(3) + "]"), 71));
  EXPECT_FALSE(placeholders_valid(json::parse(many + "]"), 71));
  EXPECT_FALSE(
      placeholders_valid(json::parse(R"(["a"])"), std::numeric_limits<std::size_t>::max()));
}

TEST(SioErrors, HaveNames) {
  for (auto e :
       {decode_error::none, decode_error::empty, decode_error::bad_type,
        decode_error::bad_attachments, decode_error::bad_namespace, decode_error::bad_id,
        decode_error::bad_json, decode_error::invalid_payload, decode_error::reserved_event}) {
    EXPECT_FALSE(to_string(e).empty());
    EXPECT_NE(to_string(e), "unknown");
  }
}

}  // namespace
}  // namespace hw::protocol::sio

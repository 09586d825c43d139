#include "protocol/engineio.hpp"

#include <gtest/gtest.h>

#include <random>
#include <string>
#include <vector>

namespace hw::protocol::eio {
namespace {

using namespace std::string_literals;

// Packets compared through a printable form, so that failures show both sides.
std::string show(const packet& p) {
  std::string s = std::to_string(static_cast<int>(p.type)) + (p.binary ? "b:" : ":");
  for (const char c : p.data) {
    const auto u = static_cast<unsigned char>(c);
    if (u >= 0x20U && u < 0x7FU) {
      s += c;
    } else {
      static constexpr char hex[] = "0123456789abcdef";
      s += "\\x";
      s += hex[u >> 4U];
      s += hex[u & 15U];
    }
  }
  return s;
}

std::string show(const std::vector<packet>& v) {
  std::string s;
  for (const auto& p : v)
    s += show(p) + " | ";
  return s;
}

// What one polling record decodes to on its own.
struct single {
  decode_error error = decode_error::none;
  packet p;
};

single decode_record(std::string_view record) {
  std::vector<packet> out;
  single s;
  s.error = decode_payload(record, out);
  if (s.error == decode_error::none) {
    EXPECT_EQ(out.size(), 1U);
    s.p = out.at(0);
  }
  return s;
}

// --- text packets (WebSocket frames) ---

TEST(EioText, DecodesEveryType) {
  for (char t = '0'; t <= '6'; ++t) {
    const std::string frame = std::string(1, t) + "data";
    packet_view v;
    ASSERT_EQ(decode_text(frame, v), decode_error::none) << frame;
    EXPECT_EQ(static_cast<int>(v.type), t - '0');
    EXPECT_FALSE(v.binary);
    EXPECT_EQ(v.data, "data");
    // A view into the frame: decoding does not copy.
    EXPECT_EQ(v.data.data(), frame.data() + 1);
  }
}

TEST(EioText, ProtocolExamples) {
  packet_view v;
  ASSERT_EQ(decode_text("4hello", v), decode_error::none);
  EXPECT_EQ(v.type, packet_type::message);
  EXPECT_EQ(v.data, "hello");
  ASSERT_EQ(decode_text("2probe", v), decode_error::none);
  EXPECT_EQ(v.type, packet_type::ping);
  EXPECT_EQ(v.data, "probe");
  ASSERT_EQ(decode_text("3", v), decode_error::none);
  EXPECT_EQ(v.type, packet_type::pong);
  EXPECT_TRUE(v.data.empty());
  ASSERT_EQ(decode_text("5", v), decode_error::none);
  EXPECT_EQ(v.type, packet_type::upgrade);
  ASSERT_EQ(decode_text("40{\"sid\":\"x\"}", v), decode_error::none);
  EXPECT_EQ(v.data, "0{\"sid\":\"x\"}");
}

TEST(EioText, Rejects) {
  packet_view v;
  EXPECT_EQ(decode_text("", v), decode_error::empty);
  for (const auto* bad : {"7", "9x", "/", "a", "b", "bAQIDBA==", " 4", "\x1e", "\xff"}) {
    EXPECT_EQ(decode_text(bad, v), decode_error::bad_type) << bad;
  }
  EXPECT_EQ(decode_text("\0"s + "4", v), decode_error::bad_type);
}

TEST(EioText, BinaryFrameIsAMessage) {
  const std::string frame = "\x01\x02\x00\xff"s;
  const auto v = decode_binary(frame);
  EXPECT_EQ(v.type, packet_type::message);
  EXPECT_TRUE(v.binary);
  EXPECT_EQ(v.data, frame);
}

TEST(EioText, EveryPrefixIsAnotherPacketOrRejected) {
  for (const std::string frame : {"4hello", "2probe", "3probe", "5", "6", "1", "0{\"sid\":\"a\"}",
                                  "42[\"hello\",1]", "4\xe2\x82\xac"}) {
    packet_view whole;
    ASSERT_EQ(decode_text(frame, whole), decode_error::none);
    for (std::size_t len = 0; len < frame.size(); ++len) {
      packet_view v;
      const auto e = decode_text(std::string_view(frame).substr(0, len), v);
      if (len == 0) {
        EXPECT_EQ(e, decode_error::empty);
      } else {
        ASSERT_EQ(e, decode_error::none);
        EXPECT_EQ(v.type, whole.type);
        EXPECT_NE(v.data, whole.data) << "prefix " << len << " of " << frame;
      }
    }
  }
}

TEST(EioText, EncodeRoundTrip) {
  for (int t = 0; t <= 6; ++t) {
    for (const std::string data : {"", "probe", "hello world", "\x1f\x7f", "42[\"x\"]"}) {
      std::string out = "prefix:";
      encode_text(out, static_cast<packet_type>(t), data);
      ASSERT_EQ(out.substr(0, 7), "prefix:");  // appends
      packet_view v;
      ASSERT_EQ(decode_text(std::string_view(out).substr(7), v), decode_error::none);
      EXPECT_EQ(static_cast<int>(v.type), t);
      EXPECT_EQ(v.data, data);
    }
  }
}

// --- polling payloads ---

TEST(EioPayload, ProtocolExamples) {
  std::vector<packet> out;
  ASSERT_EQ(decode_payload("4hello\x1e"
                           "2\x1e"
                           "4world",
                           out),
            decode_error::none);
  ASSERT_EQ(out.size(), 3U);
  EXPECT_EQ(show(out[0]), show(packet{packet_type::message, false, "hello"}));
  EXPECT_EQ(show(out[1]), show(packet{packet_type::ping, false, ""}));
  EXPECT_EQ(show(out[2]), show(packet{packet_type::message, false, "world"}));

  ASSERT_EQ(decode_payload("4hello\x1e"
                           "bAQIDBA==",
                           out),
            decode_error::none);
  ASSERT_EQ(out.size(), 2U);
  EXPECT_EQ(show(out[1]), show(packet{packet_type::message, true, "\x01\x02\x03\x04"}));

  ASSERT_EQ(decode_payload("42[\"hello\"]\x1e"
                           "42[\"world\"]",
                           out),
            decode_error::none);
  ASSERT_EQ(out.size(), 2U);
  EXPECT_EQ(out[1].data, "2[\"world\"]");
}

TEST(EioPayload, Rejects) {
  std::vector<packet> out;
  EXPECT_EQ(decode_payload("", out), decode_error::empty);
  EXPECT_EQ(decode_payload("\x1e", out), decode_error::empty);
  EXPECT_EQ(decode_payload("4a\x1e", out), decode_error::empty);  // trailing separator
  EXPECT_EQ(decode_payload("\x1e"
                           "4a",
                           out),
            decode_error::empty);
  EXPECT_EQ(decode_payload("4a\x1e\x1e"
                           "4b",
                           out),
            decode_error::empty);
  EXPECT_EQ(decode_payload("4a\x1e"
                           "7",
                           out),
            decode_error::bad_type);
  EXPECT_EQ(decode_payload("bAQIDB", out), decode_error::bad_base64);
  EXPECT_EQ(decode_payload("b!!!!", out), decode_error::bad_base64);
  EXPECT_TRUE(out.empty()) << "output is cleared on error";
}

TEST(EioPayload, EmptyBase64IsAnEmptyBinaryMessage) {
  std::vector<packet> out;
  ASSERT_EQ(decode_payload("b", out), decode_error::none);
  ASSERT_EQ(out.size(), 1U);
  EXPECT_EQ(show(out[0]), show(packet{packet_type::message, true, ""}));
}

TEST(EioPayload, PacketLimit) {
  std::vector<packet> out;
  EXPECT_EQ(decode_payload("2\x1e"
                           "2\x1e"
                           "2",
                           out, 3),
            decode_error::none);
  EXPECT_EQ(out.size(), 3U);
  EXPECT_EQ(decode_payload("2\x1e"
                           "2\x1e"
                           "2",
                           out, 2),
            decode_error::too_many);
  // The limit is checked before any record, so a bad record does not hide it.
  EXPECT_EQ(decode_payload("9\x1e"
                           "2\x1e"
                           "2",
                           out, 2),
            decode_error::too_many);
  std::string big;
  for (int i = 0; i < 10'001; ++i)
    encode_payload_append(big, packet_type::noop, {}, false);
  EXPECT_EQ(decode_payload(big, out), decode_error::too_many);
  big.resize(big.size() - 2);  // drop one record
  EXPECT_EQ(decode_payload(big, out), decode_error::none);
  EXPECT_EQ(out.size(), 10'000U);
}

TEST(EioPayload, ReusesTheOutputVector) {
  std::vector<packet> out;
  ASSERT_EQ(decode_payload("4aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa\x1e"
                           "bAQIDBA==\x1e"
                           "4c",
                           out),
            decode_error::none);
  ASSERT_EQ(decode_payload("3x\x1e"
                           "4y",
                           out),
            decode_error::none);
  ASSERT_EQ(out.size(), 2U);
  EXPECT_EQ(show(out[0]), show(packet{packet_type::pong, false, "x"}));
  EXPECT_EQ(show(out[1]), show(packet{packet_type::message, false, "y"}));
}

// The same record decodes the same wherever it sits among N packets, and a bad record fails the
// whole payload with its own error at any position.
TEST(EioPayload, PositionIndependence) {
  const std::vector<std::string> records = {
      "4hello", "2", "3probe", "6", "5", "1", "0{\"sid\":\"x\"}", "42[\"a\",{\"b\":1}]", "b",
      "bAQIDBA==", "bAA==", "bAAA=", "bAAAA", "4\xe2\x82\xac", "4 ", "4b",
      // invalid
      "", "7", "x", "b=", "bA", "bAA=", "bA===", "b****", "bAB==", "\xff"};
  const std::vector<std::string> fillers = {"4x", "2", "bAQ==", "3"};
  for (const auto& r : records) {
    const auto alone = decode_record(r);
    for (std::size_t n = 1; n <= 4; ++n) {
      for (std::size_t k = 0; k < n; ++k) {
        std::string body;
        std::vector<packet> expected;
        for (std::size_t i = 0; i < n; ++i) {
          const auto& rec = i == k ? r : fillers[i % fillers.size()];
          if (i != 0) body += '\x1e';
          body += rec;
          if (i != k) expected.push_back(decode_record(rec).p);
          if (i == k) expected.push_back(alone.p);
        }
        std::vector<packet> out;
        const auto e = decode_payload(body, out);
        ASSERT_EQ(e, alone.error) << "record '" << r << "' at " << k << " of " << n;
        if (e == decode_error::none) {
          EXPECT_EQ(show(out), show(expected));
        }
      }
    }
  }
}

// Splitting a record in two with a separator at every offset never crashes, and each side
// decodes exactly as it would alone.
TEST(EioPayload, SplitAtEveryOffset) {
  for (const std::string r : {"4hello", "bAQIDBA==", "42[\"a\"]", "2probe"}) {
    for (std::size_t cut = 0; cut <= r.size(); ++cut) {
      const auto left = r.substr(0, cut);
      const auto right = r.substr(cut);
      std::vector<packet> out;
      const auto e = decode_payload(left + '\x1e' + right, out);
      const auto a = decode_record(left);
      const auto b = decode_record(right);
      const auto want = a.error != decode_error::none ? a.error : b.error;
      ASSERT_EQ(e, want) << r << " cut at " << cut;
      if (e == decode_error::none) {
        EXPECT_EQ(show(out), show(std::vector<packet>{a.p, b.p}));
      }
    }
  }
}

TEST(EioPayload, EncodeRoundTrip) {
  const std::vector<packet> packets = {
      {packet_type::open, false, "{\"sid\":\"x\",\"upgrades\":[\"websocket\"]}"},
      {packet_type::message, false, "hello"},
      {packet_type::message, true, "\x01\x02\x03\x04"},
      {packet_type::message, true, ""},
      {packet_type::message, true, "\x00\xff\x1e"s},
      {packet_type::ping, false, ""},
      {packet_type::noop, false, ""},
      {packet_type::message, false, "2[\"x\"]"},
  };
  std::string body;
  for (const auto& p : packets)
    encode_payload_append(body, p.type, p.data, p.binary);
  EXPECT_EQ(body.find("\x1e\x1e"), std::string::npos);
  std::vector<packet> out;
  ASSERT_EQ(decode_payload(body, out), decode_error::none);
  EXPECT_EQ(show(out), show(packets));

  std::string one;
  encode_payload_append(one, packet_type::message, "\x01\x02\x03\x04", true);
  EXPECT_EQ(one, "bAQIDBA==");
  encode_payload_append(one, packet_type::message, "hello", false);
  EXPECT_EQ(one,
            "bAQIDBA==\x1e"
            "4hello");
}

// --- base64 ---

TEST(EioBase64, Rfc4648Vectors) {
  const std::pair<std::string, std::string> vectors[] = {{"", ""},
                                                         {"f", "Zg=="},
                                                         {"fo", "Zm8="},
                                                         {"foo", "Zm9v"},
                                                         {"foob", "Zm9vYg=="},
                                                         {"fooba", "Zm9vYmE="},
                                                         {"foobar", "Zm9vYmFy"},
                                                         {"\xff\xfe\xfd", "//79"},
                                                         {"\xfb\xff", "+/8="}};
  for (const auto& [plain, encoded] : vectors) {
    std::string out = ">";
    base64_encode_append(out, plain);
    EXPECT_EQ(out, ">" + encoded);
    std::string back = "garbage";
    ASSERT_TRUE(base64_decode(encoded, back)) << encoded;
    EXPECT_EQ(back, plain);
  }
}

TEST(EioBase64, RoundTripsEveryLengthAndByte) {
  std::mt19937 rng(42);
  for (std::size_t len = 0; len < 70; ++len) {
    std::string data(len, '\0');
    for (auto& c : data)
      c = static_cast<char>(rng());
    std::string enc;
    base64_encode_append(enc, data);
    EXPECT_EQ(enc.size() % 4, 0U);
    std::string dec;
    ASSERT_TRUE(base64_decode(enc, dec));
    EXPECT_EQ(dec, data);
  }
  std::string all;
  for (int i = 0; i < 256; ++i)
    all += static_cast<char>(i);
  std::string enc;
  base64_encode_append(enc, all);
  std::string dec;
  ASSERT_TRUE(base64_decode(enc, dec));
  EXPECT_EQ(dec, all);
}

TEST(EioBase64, RejectsBadInput) {
  std::string out;
  // length mod 4, including unpadded forms other decoders accept
  for (const auto* s : {"A", "AA", "AAA", "AAAAA", "Zg", "Zm8", "Zm9vYg", "Zg=", "Zg==="}) {
    EXPECT_FALSE(base64_decode(s, out)) << s;
  }
  // characters outside the standard alphabet (URL-safe, whitespace, NUL, high bytes)
  const std::vector<std::string> bad_chars = {"AA-A",
                                              "AA_A",
                                              "AA A",
                                              "AA\nA",
                                              "AA\0A"s,
                                              "AA\x80"
                                              "A",
                                              "AA\xff"
                                              "A",
                                              "AA.A",
                                              "AAAAAAA!"};
  for (const auto& s : bad_chars)
    EXPECT_FALSE(base64_decode(s, out)) << s;
  // padding anywhere but at the end of the last quantum
  for (const auto* s : {"=AAA", "A=AA", "AA=A", "A===", "====", "AA==AAAA", "AAA=AAAA", "=AA="}) {
    EXPECT_FALSE(base64_decode(s, out)) << s;
  }
  // non-canonical: the bits the padding drops must be zero
  for (const auto* s : {"AB==", "AP==", "AAB=", "AAD=", "Zh==", "Zm9="}) {
    EXPECT_FALSE(base64_decode(s, out)) << s;
  }
}

// Over a small alphabet, every 4-character string is either rejected or canonical: decoding
// then encoding gives the input back.
TEST(EioBase64, StrictMeansCanonical) {
  const std::string alpha = "ABQgw/+=-";
  std::size_t accepted = 0;
  for (char a : alpha) {
    for (char b : alpha) {
      for (char c : alpha) {
        for (char d : alpha) {
          const std::string s{a, b, c, d};
          std::string dec;
          if (!base64_decode(s, dec)) continue;
          ++accepted;
          std::string enc;
          base64_encode_append(enc, dec);
          EXPECT_EQ(enc, s);
        }
      }
    }
  }
  EXPECT_GT(accepted, 1000U);
}

TEST(EioErrors, HaveNames) {
  for (auto e : {decode_error::none, decode_error::empty, decode_error::bad_type,
                 decode_error::bad_base64, decode_error::too_many}) {
    EXPECT_FALSE(to_string(e).empty());
    EXPECT_NE(to_string(e), "unknown");
  }
}

}  // namespace
}  // namespace hw::protocol::eio

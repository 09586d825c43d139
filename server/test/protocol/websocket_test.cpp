#include "protocol/websocket.hpp"

#include <gtest/gtest.h>

#include <string>
#include <vector>

namespace hw::protocol::ws {
namespace {

// A client frame: masked with a fixed key.
std::string client_frame(opcode op, std::string_view payload, bool fin = true, std::uint8_t rsv = 0,
                         bool mask = true) {
  std::string f;
  f += static_cast<char>((fin ? 0x80U : 0U) | rsv | static_cast<unsigned>(op));
  const unsigned char m = mask ? 0x80U : 0U;
  if (payload.size() < 126) {
    f += static_cast<char>(m | payload.size());
  } else if (payload.size() <= 0xFFFF) {
    f += static_cast<char>(m | 126U);
    f += static_cast<char>(payload.size() >> 8U);
    f += static_cast<char>(payload.size() & 0xFFU);
  } else {
    f += static_cast<char>(m | 127U);
    for (int i = 7; i >= 0; --i)
      f += static_cast<char>((payload.size() >> (8U * i)) & 0xFFU);
  }
  const unsigned char key[4] = {0x12, 0x34, 0x56, 0x78};
  if (mask) f.append(reinterpret_cast<const char*>(key), 4);
  for (std::size_t i = 0; i < payload.size(); ++i) {
    f += static_cast<char>(payload[i] ^ (mask ? key[i & 3U] : 0));
  }
  return f;
}

struct parsed {
  std::vector<std::pair<event::kind_t, std::string>> events;
  std::uint16_t error = 0;
};

// Feeds `bytes` to a parser the way ws_session does: append to a buffer, parse every complete
// frame, drop consumed bytes. `split` cuts the input in two reads at that offset.
parsed feed(const std::string& bytes, std::size_t split, std::size_t max_message = 1 << 20) {
  frame_parser p(max_message);
  parsed out;
  std::string buf;
  for (const auto& chunk : {bytes.substr(0, split), bytes.substr(split)}) {
    buf += chunk;
    std::size_t off = 0;
    for (;;) {
      event ev;
      const auto used = p.parse(buf.data() + off, buf.size() - off, ev);
      off += used;
      if (ev.kind == event::error) {
        out.error = ev.code;
        return out;
      }
      if (ev.kind == event::need_more) {
        if (used == 0) break;
        continue;
      }
      out.events.emplace_back(ev.kind, std::string(ev.payload));
    }
    buf.erase(0, off);
  }
  return out;
}

TEST(WsFrames, EveryMessageKindAtEverySplit) {
  const std::string big(70'000, 'z');  // 64-bit length
  const std::string mid(300, 'y');     // 16-bit length
  std::string stream = client_frame(opcode::text, "4hello") +
                       client_frame(opcode::binary, "\x01\x02") + client_frame(opcode::ping, "p") +
                       client_frame(opcode::text, mid) + client_frame(opcode::text, "frag", false) +
                       client_frame(opcode::ping, "in-between") +  // control inside a message
                       client_frame(opcode::continuation, "mented") +
                       client_frame(opcode::binary, big) + client_frame(opcode::pong, "") +
                       client_frame(opcode::close, std::string("\x03\xE8"
                                                               "bye",
                                                               5));
  for (std::size_t split = 0; split <= stream.size(); split += (split < 400 ? 1 : 997)) {
    const auto r = feed(stream, split);
    ASSERT_EQ(r.error, 0) << "split " << split;
    ASSERT_EQ(r.events.size(), 9U) << "split " << split;
    EXPECT_EQ(r.events[0].second, "4hello");
    EXPECT_EQ(r.events[1].second, "\x01\x02");
    EXPECT_EQ(r.events[2].first, event::ping);
    EXPECT_EQ(r.events[3].second, mid);
    EXPECT_EQ(r.events[4].first, event::ping);
    EXPECT_EQ(r.events[5].second, "fragmented");
    EXPECT_EQ(r.events[6].second.size(), big.size());
    EXPECT_EQ(r.events[7].first, event::pong);
    EXPECT_EQ(r.events[8].first, event::close);
    EXPECT_EQ(r.events[8].second, "bye");
  }
}

TEST(WsFrames, FragmentBufferIsReleasedAfterTheMessage) {
  // A fragmented message is reassembled in the parser; once handed out, the next parse()
  // releases that memory (an idle connection must not keep its largest message).
  frame_parser p(1 << 20);
  const std::string half(64 << 10, 'a');
  std::string bytes = client_frame(opcode::text, half, false);
  bytes += client_frame(opcode::continuation, half, true);
  event ev;
  const auto first = p.parse(bytes.data(), bytes.size(), ev);
  EXPECT_EQ(ev.kind, event::need_more);
  const auto second = p.parse(bytes.data() + first, bytes.size() - first, ev);
  ASSERT_EQ(ev.kind, event::message);
  EXPECT_EQ(ev.payload.size(), 2 * half.size());
  EXPECT_GE(p.buffered_bytes(), 2 * half.size());
  p.parse(bytes.data() + first + second, 0, ev);
  EXPECT_EQ(ev.kind, event::need_more);
  EXPECT_LE(p.buffered_bytes(), 4096U);
}

TEST(WsFrames, CloseCarriesCodeAndReason) {
  frame_parser p(100);
  auto f = client_frame(opcode::close, std::string("\x03\xE9"
                                                   "later",
                                                   7));
  event ev;
  EXPECT_EQ(p.parse(f.data(), f.size(), ev), f.size());
  EXPECT_EQ(ev.kind, event::close);
  EXPECT_EQ(ev.code, 1001);
  EXPECT_EQ(ev.payload, "later");
  auto empty = client_frame(opcode::close, "");
  frame_parser p2(100);
  p2.parse(empty.data(), empty.size(), ev);
  EXPECT_EQ(ev.code, close_code::no_status);
}

TEST(WsFrames, ProtocolViolationsAreErrorsWithTheRightCode) {
  struct bad {
    std::string frame;
    std::uint16_t code;
  };
  const std::vector<bad> cases = {
      {client_frame(opcode::text, "x", true, 0, false), close_code::protocol_error},  // unmasked
      {client_frame(opcode::text, "x", true, 0x40), close_code::protocol_error},      // RSV1
      {client_frame(static_cast<opcode>(3), "x"), close_code::protocol_error},        // opcode 3
      {client_frame(opcode::continuation, "x"), close_code::protocol_error},  // nothing to continue
      {client_frame(opcode::ping, "x", false), close_code::protocol_error},   // fragmented control
      {client_frame(opcode::ping, std::string(126, 'p')), close_code::protocol_error},
      {client_frame(opcode::text, "\xC0\xAF"), close_code::invalid_payload},      // overlong UTF-8
      {client_frame(opcode::text, "\xED\xA0\x80"), close_code::invalid_payload},  // surrogate
      {client_frame(opcode::close, "\x03"), close_code::protocol_error},          // 1-byte close
      {client_frame(opcode::close, "\x03\xED"), close_code::protocol_error},      // code 1005
      {client_frame(opcode::text, std::string(101, 'a')), close_code::too_big},
      {client_frame(opcode::text, "a", false) + client_frame(opcode::text, "b"),
       close_code::protocol_error},  // new message inside a fragmented one
      {client_frame(opcode::text, std::string(60, 'a'), false) +
           client_frame(opcode::continuation, std::string(60, 'a')),
       close_code::too_big},  // fragments add up past the limit
  };
  for (std::size_t i = 0; i < cases.size(); ++i) {
    const auto r = feed(cases[i].frame, cases[i].frame.size(), 100);
    EXPECT_EQ(r.error, cases[i].code) << "case " << i;
  }
}

TEST(WsFrames, NonMinimalLengthsAreRefused) {
  std::string f = "\x81\xFE";  // 16-bit length for a 5-byte payload
  f += std::string("\x00\x05", 2);
  f += "\x00\x00\x00\x00hello";
  EXPECT_EQ(feed(f, f.size()).error, close_code::protocol_error);
}

TEST(WsFrames, TooBigIsDetectedFromTheHeaderAlone) {
  frame_parser p(1000);
  std::string header = "\x82\xFF";
  for (int i = 0; i < 8; ++i)
    header += static_cast<char>(i == 4 ? 1 : 0);  // 2^24 bytes
  event ev;
  p.parse(header.data(), header.size(), ev);
  EXPECT_EQ(ev.kind, event::error);
  EXPECT_EQ(ev.code, close_code::too_big);
}

TEST(WsFrames, ServerHeaders) {
  std::string out;
  encode_header(out, opcode::text, 5);
  EXPECT_EQ(out, std::string("\x81\x05", 2));
  out.clear();
  encode_header(out, opcode::binary, 300);
  EXPECT_EQ(out, std::string("\x82\x7E\x01\x2C", 4));
  out.clear();
  encode_header(out, opcode::text, 70'000);
  EXPECT_EQ(out.size(), 10U);
  EXPECT_EQ(static_cast<unsigned char>(out[1]), 127U);
  EXPECT_EQ(header_size(125), 2U);
  EXPECT_EQ(header_size(126), 4U);
  EXPECT_EQ(header_size(65536), 10U);
  EXPECT_EQ(close_payload(1000, "ok"), std::string("\x03\xE8ok", 4));
}

TEST(WsHandshake, AcceptKeyFromRfc6455) {
  EXPECT_EQ(accept_key("dGhlIHNhbXBsZSBub25jZQ=="), "s3pPLMBiTxaQ9kYGzzhZRbK+xOo=");
  EXPECT_EQ(accept_key(""), "");
  EXPECT_EQ(accept_key("short=="), "");
  EXPECT_EQ(accept_key("dGhlIHNhbXBsZSBub25jZQ!="), "");
}

TEST(WsUtf8, Validation) {
  EXPECT_TRUE(valid_utf8(""));
  EXPECT_TRUE(valid_utf8("plain ascii that is longer than eight bytes"));
  EXPECT_TRUE(valid_utf8("h\xC3\xA9llo \xF0\x9F\x98\x80 \xE2\x82\xAC"));
  EXPECT_FALSE(valid_utf8("\x80"));
  EXPECT_FALSE(valid_utf8("abc\xC3"));           // truncated
  EXPECT_FALSE(valid_utf8("\xF4\x90\x80\x80"));  // > U+10FFFF
  EXPECT_FALSE(valid_utf8("\xE0\x80\x80"));      // overlong
  EXPECT_FALSE(valid_utf8("\xFE"));
}

}  // namespace
}  // namespace hw::protocol::ws

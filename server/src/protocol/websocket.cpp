#include "protocol/websocket.hpp"

#include "core/utf8.hpp"

#include <openssl/evp.h>
#include <openssl/sha.h>

#include <cctype>
#include <cstring>

namespace hw::protocol::ws {

namespace {

bool is_control(std::uint8_t op) {
  return (op & 0x8U) != 0;
}

bool known_opcode(std::uint8_t op) {
  return op == 0x0 || op == 0x1 || op == 0x2 || op == 0x8 || op == 0x9 || op == 0xA;
}

// Close codes a peer may send (RFC 6455 7.4): 1000-1003, 1007-1014, 3000-4999.
bool valid_close_code(std::uint16_t c) {
  return (c >= 1000 && c <= 1003) || (c >= 1007 && c <= 1014) || (c >= 3000 && c <= 4999);
}

void unmask(char* p, std::size_t n, const unsigned char* key) {
  // Word-at-a-time would be faster; messages here are small JSON and the loop vectorises.
  for (std::size_t i = 0; i < n; ++i)
    p[i] = static_cast<char>(p[i] ^ key[i & 3U]);
}

event fail(std::uint16_t code) {
  event e;
  e.kind = event::error;
  e.code = code;
  return e;
}

// A close, ping or pong frame's event (its payload already unmasked).
std::size_t control_event(std::uint8_t op, std::string_view body, std::size_t consumed, event& ev) {
  switch (op) {
    case 0x8: {
      ev.kind = event::close;
      ev.code = close_code::no_status;
      if (body.size() == 1) return ev = fail(close_code::protocol_error), consumed;
      if (body.size() >= 2) {
        ev.code = static_cast<std::uint16_t>((static_cast<unsigned char>(body[0]) << 8U) |
                                             static_cast<unsigned char>(body[1]));
        if (!valid_close_code(ev.code)) return ev = fail(close_code::protocol_error), consumed;
        ev.payload = body.substr(2);
        if (!valid_utf8(ev.payload)) return ev = fail(close_code::invalid_payload), consumed;
      }
      return consumed;
    }
    case 0x9:
      ev.kind = event::ping;
      ev.payload = body;
      return consumed;
    case 0xA:
      ev.kind = event::pong;
      ev.payload = body;
      return consumed;
    default:
      return ev = fail(close_code::protocol_error), consumed;  // not a control opcode
  }
}

}  // namespace

std::size_t frame_parser::parse(char* data, std::size_t len, event& ev) {
  ev = event{};
  release_delivered();
  const auto* u = reinterpret_cast<const unsigned char*>(data);
  if (len < 2) return 0;
  const bool fin = (u[0] & 0x80U) != 0;
  const std::uint8_t rsv = u[0] & 0x70U;
  const std::uint8_t op = u[0] & 0x0FU;
  const bool masked = (u[1] & 0x80U) != 0;
  std::uint64_t plen = u[1] & 0x7FU;
  if (rsv != 0 || !known_opcode(op) || !masked) {
    ev = fail(close_code::protocol_error);
    return 0;
  }
  std::size_t pos = 2;
  if (plen == 126) {
    if (len < 4) return 0;
    plen = (static_cast<std::uint64_t>(u[2]) << 8U) | u[3];
    if (plen < 126) return ev = fail(close_code::protocol_error), 0;  // non-minimal length
    pos = 4;
  } else if (plen == 127) {
    if (len < 10) return 0;
    plen = 0;
    for (int i = 2; i < 10; ++i)
      plen = (plen << 8U) | u[i];
    if (plen <= 0xFFFF || (plen >> 63U) != 0) return ev = fail(close_code::protocol_error), 0;
    pos = 10;
  }
  if (is_control(op)) {
    if (!fin || plen > 125) return ev = fail(close_code::protocol_error), 0;
  } else {
    if (op == 0 && !in_fragmented_) return ev = fail(close_code::protocol_error), 0;
    if (op != 0 && in_fragmented_) return ev = fail(close_code::protocol_error), 0;
    const std::uint64_t so_far = in_fragmented_ ? fragments_.size() : 0;
    if (plen > max_message_ || so_far + plen > max_message_) {
      return ev = fail(close_code::too_big), 0;
    }
  }
  if (len < pos + 4) return 0;
  const unsigned char* key = u + pos;
  pos += 4;
  if (len - pos < plen) return 0;  // wait for the whole frame
  char* payload = data + pos;
  const auto n = static_cast<std::size_t>(plen);
  unmask(payload, n, key);
  const std::size_t consumed = pos + n;
  const std::string_view body(payload, n);

  if (is_control(op)) return control_event(op, body, consumed, ev);
  return data_event(op, fin, body, consumed, ev);
}

void frame_parser::release_delivered() {
  if (in_fragmented_ || fragments_.empty()) return;
  // The last message was handed out from fragments_ and is no longer needed: release it, so
  // an idle connection does not keep the memory of its largest fragmented message.
  if (fragments_.capacity() > release_above) {
    std::string().swap(fragments_);
  } else {
    fragments_.clear();
  }
}

std::size_t frame_parser::data_event(std::uint8_t op, bool fin, std::string_view body,
                                     std::size_t consumed, event& ev) {
  if (op != 0 && fin) {  // the common case: a whole message in one frame, no copy
    ev.kind = event::message;
    ev.binary = op == 0x2;
    ev.payload = body;
  } else {
    if (op != 0) {
      in_fragmented_ = true;
      fragmented_binary_ = op == 0x2;
      fragments_.clear();
    }
    fragments_.append(body);
    if (!fin) return consumed;  // need_more, but bytes were consumed
    in_fragmented_ = false;
    ev.kind = event::message;
    ev.binary = fragmented_binary_;
    ev.payload = fragments_;
  }
  if (!ev.binary && !valid_utf8(ev.payload))
    return ev = fail(close_code::invalid_payload), consumed;
  return consumed;
}

std::size_t write_header(unsigned char* buf, opcode op, std::size_t len) {
  buf[0] = static_cast<unsigned char>(0x80U | static_cast<unsigned>(op));
  if (len < 126) {
    buf[1] = static_cast<unsigned char>(len);
    return 2;
  }
  if (len <= 0xFFFF) {
    buf[1] = 126;
    buf[2] = static_cast<unsigned char>(len >> 8U);
    buf[3] = static_cast<unsigned char>(len & 0xFFU);
    return 4;
  }
  buf[1] = 127;
  for (int i = 0; i < 8; ++i) {
    buf[2 + i] =
        static_cast<unsigned char>((static_cast<std::uint64_t>(len) >> (56U - 8U * i)) & 0xFFU);
  }
  return 10;
}

void encode_header(std::string& out, opcode op, std::size_t len) {
  unsigned char buf[10];
  const auto n = write_header(buf, op, len);
  out.append(reinterpret_cast<const char*>(buf), n);
}

std::string close_payload(std::uint16_t code, std::string_view reason) {
  std::string out;
  out += static_cast<char>(code >> 8U);
  out += static_cast<char>(code & 0xFFU);
  out.append(reason.substr(0, 123));
  return out;
}

std::string accept_key(std::string_view client_key) {
  // The key must be base64 of 16 bytes: 24 characters ending in "==".
  if (client_key.size() != 24 || !client_key.ends_with("==")) return {};
  for (char c : client_key.substr(0, 22)) {
    if (!(std::isalnum(static_cast<unsigned char>(c)) || c == '+' || c == '/')) return {};
  }
  static constexpr std::string_view guid = "258EAFA5-E914-47DA-95CA-C5AB0DC85B11";
  std::string input(client_key);
  input.append(guid);
  unsigned char digest[SHA_DIGEST_LENGTH];
  SHA1(reinterpret_cast<const unsigned char*>(input.data()), input.size(), digest);
  unsigned char out[32];
  const int n = EVP_EncodeBlock(out, digest, SHA_DIGEST_LENGTH);
  return {reinterpret_cast<const char*>(out), static_cast<std::size_t>(n)};
}

bool valid_utf8(std::string_view s) {
  return core::valid_utf8(s);
}

}  // namespace hw::protocol::ws

#pragma once
// RFC 6455 WebSocket framing for the server side. Pure (uWebSockets' rule: parsers know nothing
// of sockets), so it is unit-tested at every byte split and fuzzed. Hallway frames WebSocket
// itself instead of using Beast's stream so that one connection's queued frames leave in one
// gathered write and the send queue is bounded in bytes (see net/ws_session).

#include <cstdint>
#include <string>
#include <string_view>

namespace hw::protocol::ws {

enum class opcode : std::uint8_t {
  continuation = 0x0,
  text = 0x1,
  binary = 0x2,
  close = 0x8,
  ping = 0x9,
  pong = 0xA,
};

namespace close_code {
constexpr std::uint16_t normal = 1000;
constexpr std::uint16_t going_away = 1001;
constexpr std::uint16_t protocol_error = 1002;
constexpr std::uint16_t no_status = 1005;
constexpr std::uint16_t invalid_payload = 1007;
constexpr std::uint16_t policy = 1008;
constexpr std::uint16_t too_big = 1009;
constexpr std::uint16_t internal_error = 1011;
}  // namespace close_code

/// What parse() found.
struct event {
  enum kind_t : std::uint8_t { need_more, message, ping, pong, close, error } kind = need_more;
  bool binary = false;       ///< message: binary (else UTF-8 text, already validated)
  std::string_view payload;  ///< message/ping/pong/close reason; valid until the next parse()
  std::uint16_t code = 0;    ///< close: the peer's code (1005 if none); error: code to send
};

/// Incremental parser of client→server frames. Frames must be masked, RSV bits clear, control
/// frames ≤ 125 bytes and unfragmented. A message (all fragments) larger than `max_message` is
/// an error (1009) detected from the header, before its payload is buffered.
class frame_parser {
 public:
  explicit frame_parser(std::size_t max_message) : max_message_(max_message) {}

  /// Looks at `data[0, len)`. Returns the number of bytes consumed (the caller drops them) and
  /// sets `ev`. A frame is consumed only when it is complete; payloads are unmasked in place, so
  /// `ev.payload` may point into `data`. After an error the parser must not be used again.
  std::size_t parse(char* data, std::size_t len, event& ev);

  [[nodiscard]] std::size_t max_message() const { return max_message_; }
  /// Bytes held for a fragmented message (its reassembly buffer's capacity): at most
  /// max_message while one is in progress; released on the parse() after it was delivered.
  [[nodiscard]] std::size_t buffered_bytes() const { return fragments_.capacity(); }

 private:
  static constexpr std::size_t release_above = 4096;
  /// Frees the buffer of a fragmented message handed out by the previous parse().
  void release_delivered();
  /// A text/binary/continuation frame: the message itself, or one more fragment of it.
  std::size_t data_event(std::uint8_t op, bool fin, std::string_view body, std::size_t consumed,
                         event& ev);
  std::size_t max_message_;
  std::string fragments_;  // unmasked payload of a fragmented message so far
  bool in_fragmented_ = false;
  bool fragmented_binary_ = false;
};

/// Appends a server frame header (FIN set, unmasked) for a payload of `len` bytes.
void encode_header(std::string& out, opcode op, std::size_t len);
/// Header size for a payload of `len` bytes (2, 4 or 10).
constexpr std::size_t header_size(std::size_t len) {
  return len < 126 ? 2 : (len <= 0xFFFF ? 4 : 10);
}
/// Writes the header into `buf` (≥ 10 bytes); returns its size.
std::size_t write_header(unsigned char* buf, opcode op, std::size_t len);

/// A close frame payload: code + reason (reason truncated to fit 125 bytes).
std::string close_payload(std::uint16_t code, std::string_view reason);

/// Sec-WebSocket-Accept for a Sec-WebSocket-Key. Empty when the key is not base64 of 16 bytes.
std::string accept_key(std::string_view client_key);

/// Strict UTF-8 validation (no overlongs, no surrogates, ≤ U+10FFFF).
bool valid_utf8(std::string_view s);

}  // namespace hw::protocol::ws

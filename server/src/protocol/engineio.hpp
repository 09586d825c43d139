#pragma once
// Engine.IO v4 packet and payload codec. Pure: no sockets, no timers, no allocation when decoding
// a WebSocket frame (the packet is a view into the frame). Fuzzed (server/test/fuzz/).
//
// Text packet: one ASCII digit (the type) followed by the data: "4hello", "2probe", "3".
// WebSocket binary frame: a whole `message` packet of binary data, with no type prefix.
// Polling payload: packets joined by the record separator '\x1e'; a binary message is written
// as "b" + base64(data).

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

namespace hw::protocol::eio {

enum class packet_type : std::uint8_t {
  open = 0,
  close = 1,
  ping = 2,
  pong = 3,
  message = 4,
  upgrade = 5,
  noop = 6,
};

enum class decode_error : std::uint8_t {
  none,
  empty,       ///< zero-length packet
  bad_type,    ///< first character is not '0'..'6'
  bad_base64,  ///< "b..." polling packet whose data is not valid base64
  too_many,    ///< more packets in one payload than allowed
};

/// A decoded packet whose data points into the decoded input (or into `storage` for base64).
struct packet_view {
  packet_type type = packet_type::noop;
  bool binary = false;
  std::string_view data;
};

/// An owned packet (polling payloads, where base64 data must be decoded into memory).
struct packet {
  packet_type type = packet_type::noop;
  bool binary = false;
  std::string data;
};

/// Decodes a text WebSocket frame (or one polling record without the 'b' form).
decode_error decode_text(std::string_view frame, packet_view& out);

/// A binary WebSocket frame is always a binary message.
inline packet_view decode_binary(std::string_view frame) {
  return packet_view{packet_type::message, true, frame};
}

/// Appends the text form of a packet ("4hello"). Binary data must be sent as a binary frame
/// over WebSocket, or with encode_payload for polling.
void encode_text(std::string& out, packet_type type, std::string_view data = {});

/// Splits a polling request body into packets. `max_packets` bounds the work per request.
decode_error decode_payload(std::string_view body, std::vector<packet>& out,
                            std::size_t max_packets = 10'000);

/// Appends one packet to a polling response body, with the separator when `out` is not empty.
void encode_payload_append(std::string& out, packet_type type, std::string_view data, bool binary);

/// Standard base64 (RFC 4648, with padding).
void base64_encode_append(std::string& out, std::string_view data);
/// Strict: rejects bad characters, bad padding and bad lengths.
bool base64_decode(std::string_view in, std::string& out);

std::string_view to_string(decode_error e);

}  // namespace hw::protocol::eio

#pragma once
// Socket.IO v5 packet codec, with socket.io-parser's validation rules. Pure; fuzzed.
//
// Encoding: <type digit>[<attachments>-][<namespace>,][<ack id>][<JSON payload>]
//   "2[\"hello\",1]"            EVENT on "/"
//   "2/chat,12[\"hi\"]"         EVENT on "/chat" with ack id 12
//   "51-[\"up\",{\"_placeholder\":true,\"num\":0}]" BINARY_EVENT with one attachment
//   "0/admin,{\"token\":\"x\"}" CONNECT with auth payload
// The namespace is present only when it is not "/". Binary attachments follow as separate
// Engine.IO binary messages; their placeholders stay in `data` and are resolved by index.

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include <boost/json/value.hpp>

namespace hw::protocol::sio {

enum class packet_type : std::uint8_t {
  connect = 0,
  disconnect = 1,
  event = 2,
  ack = 3,
  connect_error = 4,
  binary_event = 5,
  binary_ack = 6,
};

enum class decode_error : std::uint8_t {
  none,
  empty,
  bad_type,         ///< not '0'..'6'
  bad_attachments,  ///< binary type without "<n>-", a non-number, or more than the limit
  bad_namespace,    ///< namespace not starting with '/' or not terminated by ','
  bad_id,           ///< ack id too long (more than 15 digits) or missing for ACK
  bad_json,         ///< payload is not valid JSON (or nested too deeply)
  invalid_payload,  ///< valid JSON of the wrong shape for the type (see decode())
  reserved_event,   ///< EVENT named connect, connect_error, disconnect, disconnecting,
                    ///< newListener or removeListener
};

struct packet {
  packet_type type = packet_type::event;
  std::string nsp = "/";
  std::optional<std::uint64_t> id;
  /// Absent payload is null with has_data == false.
  boost::json::value data;
  bool has_data = false;
  /// Number of binary attachments that follow (binary types only).
  std::size_t attachments = 0;
};

struct decode_limits {
  std::size_t max_attachments = 10;
  std::size_t max_depth = 32;  ///< JSON nesting
};

/// Decodes one Socket.IO packet (the data of an Engine.IO text message). Validation:
/// CONNECT: payload absent or an object. DISCONNECT: no payload. CONNECT_ERROR: object or
/// string. EVENT/BINARY_EVENT: non-empty array whose first element is a string that is not a
/// reserved name, or a number. ACK/BINARY_ACK: array, and an id is required. Binary types need
/// an attachment count ≥ 0 and ≤ the limit; non-binary types must not have one.
decode_error decode(std::string_view in, packet& out, const decode_limits& lim = {});

/// Appends the encoded packet (attachment count, namespace, id, serialized data).
void encode(std::string& out, const packet& p);

/// True when `v` is {"_placeholder":true,"num":<n>} with n < attachments; sets `index`.
bool is_placeholder(const boost::json::value& v, std::size_t attachments, std::size_t& index);

/// Counts placeholders in `v` and checks each index is < attachments and used once.
bool placeholders_valid(const boost::json::value& v, std::size_t attachments);

std::string_view to_string(decode_error e);

}  // namespace hw::protocol::sio

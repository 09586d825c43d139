#include "protocol/socketio.hpp"

#include <boost/json/parse.hpp>
#include <boost/json/serialize.hpp>
#include <vector>

namespace hw::protocol::sio {

namespace json = boost::json;

namespace {

bool is_digit(char c) { return c >= '0' && c <= '9'; }

bool reserved(std::string_view name) {
  return name == "connect" || name == "connect_error" || name == "disconnect" ||
         name == "disconnecting" || name == "newListener" || name == "removeListener";
}

// socket.io-parser's isPayloadValid.
bool payload_valid(packet_type t, const json::value& v) {
  switch (t) {
    case packet_type::connect: return v.is_object();
    case packet_type::disconnect: return false;  // DISCONNECT carries no payload
    case packet_type::connect_error: return v.is_string() || v.is_object();
    case packet_type::event:
    case packet_type::binary_event: {
      if (!v.is_array() || v.as_array().empty()) return false;
      const auto& first = v.as_array()[0];
      return first.is_number() || (first.is_string() && !reserved(first.as_string()));
    }
    case packet_type::ack:
    case packet_type::binary_ack: return v.is_array();
  }
  return false;
}

bool walk_placeholders(const json::value& v, std::size_t attachments, std::vector<bool>& seen) {
  if (v.is_array()) {
    for (const auto& x : v.as_array()) {
      if (!walk_placeholders(x, attachments, seen)) return false;
    }
    return true;
  }
  if (!v.is_object()) return true;
  std::size_t index = 0;
  if (is_placeholder(v, attachments, index)) {
    if (seen[index]) return false;
    seen[index] = true;
    return true;
  }
  if (v.as_object().contains("_placeholder")) return false;  // malformed placeholder
  for (const auto& kv : v.as_object()) {
    if (!walk_placeholders(kv.value(), attachments, seen)) return false;
  }
  return true;
}

}  // namespace

decode_error decode(std::string_view in, packet& out, const decode_limits& lim) {
  out = packet{};
  if (in.empty()) return decode_error::empty;
  if (in[0] < '0' || in[0] > '6') return decode_error::bad_type;
  out.type = static_cast<packet_type>(in[0] - '0');
  std::size_t i = 1;
  const bool binary = out.type == packet_type::binary_event || out.type == packet_type::binary_ack;
  if (binary) {
    const std::size_t start = i;
    while (i < in.size() && is_digit(in[i])) ++i;
    if (i == start || i >= in.size() || in[i] != '-' || i - start > 6) {
      return decode_error::bad_attachments;
    }
    std::size_t n = 0;
    for (std::size_t k = start; k < i; ++k) n = n * 10 + static_cast<std::size_t>(in[k] - '0');
    if (n > lim.max_attachments) return decode_error::bad_attachments;
    out.attachments = n;
    ++i;  // '-'
  }
  if (i < in.size() && in[i] == '/') {
    const std::size_t start = i;
    while (i < in.size() && in[i] != ',') ++i;
    out.nsp = std::string(in.substr(start, i - start));
    if (i < in.size()) ++i;  // ','
    // A namespace is "/" followed by printable characters (no control bytes, no JSON start).
    for (char c : out.nsp) {
      if (static_cast<unsigned char>(c) < 0x20U) return decode_error::bad_namespace;
    }
  }
  if (i < in.size() && is_digit(in[i])) {
    const std::size_t start = i;
    while (i < in.size() && is_digit(in[i])) ++i;
    if (i - start > 15) return decode_error::bad_id;
    std::uint64_t id = 0;
    for (std::size_t k = start; k < i; ++k) id = id * 10 + static_cast<std::uint64_t>(in[k] - '0');
    out.id = id;
  }
  if (i < in.size()) {
    json::parse_options po;
    po.max_depth = lim.max_depth;
    boost::system::error_code ec;
    out.data = json::parse(in.substr(i), ec, {}, po);
    if (ec) return decode_error::bad_json;
    if (out.type == packet_type::event || out.type == packet_type::binary_event) {
      if (out.data.is_array() && !out.data.as_array().empty() &&
          out.data.as_array()[0].is_string() && reserved(out.data.as_array()[0].as_string())) {
        return decode_error::reserved_event;
      }
    }
    if (!payload_valid(out.type, out.data)) return decode_error::invalid_payload;
    out.has_data = true;
  } else if (out.type == packet_type::event || out.type == packet_type::binary_event ||
             out.type == packet_type::connect_error) {
    return decode_error::invalid_payload;  // these need a payload
  }
  if ((out.type == packet_type::ack || out.type == packet_type::binary_ack) && !out.id) {
    return decode_error::bad_id;
  }
  if (out.type == packet_type::ack || out.type == packet_type::binary_ack) {
    if (!out.has_data) return decode_error::invalid_payload;
  }
  return decode_error::none;
}

void encode(std::string& out, const packet& p) {
  out += static_cast<char>('0' + static_cast<int>(p.type));
  if (p.type == packet_type::binary_event || p.type == packet_type::binary_ack) {
    out += std::to_string(p.attachments);
    out += '-';
  }
  if (!p.nsp.empty() && p.nsp != "/") {
    out += p.nsp;
    out += ',';
  }
  if (p.id) out += std::to_string(*p.id);
  if (p.has_data) out += json::serialize(p.data);
}

bool is_placeholder(const json::value& v, std::size_t attachments, std::size_t& index) {
  if (!v.is_object()) return false;
  const auto& o = v.as_object();
  if (o.size() != 2) return false;
  const auto* ph = o.if_contains("_placeholder");
  const auto* num = o.if_contains("num");
  if (ph == nullptr || num == nullptr || !ph->is_bool() || !ph->as_bool()) return false;
  if (num->is_uint64() && num->as_uint64() < attachments) {
    index = static_cast<std::size_t>(num->as_uint64());
    return true;
  }
  if (num->is_int64() && num->as_int64() >= 0 &&
      static_cast<std::uint64_t>(num->as_int64()) < attachments) {
    index = static_cast<std::size_t>(num->as_int64());
    return true;
  }
  return false;
}

bool placeholders_valid(const json::value& v, std::size_t attachments) {
  std::vector<bool> seen(attachments, false);
  if (!walk_placeholders(v, attachments, seen)) return false;
  for (bool s : seen) {
    if (!s) return false;  // an attachment nothing refers to
  }
  return true;
}

std::string_view to_string(decode_error e) {
  switch (e) {
    case decode_error::none: return "none";
    case decode_error::empty: return "empty packet";
    case decode_error::bad_type: return "unknown packet type";
    case decode_error::bad_attachments: return "illegal attachments";
    case decode_error::bad_namespace: return "invalid namespace";
    case decode_error::bad_id: return "invalid ack id";
    case decode_error::bad_json: return "invalid JSON";
    case decode_error::invalid_payload: return "invalid payload";
    case decode_error::reserved_event: return "reserved event name";
  }
  return "unknown";
}

}  // namespace hw::protocol::sio

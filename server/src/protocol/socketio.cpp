#include "protocol/socketio.hpp"

#include <charconv>
#include <cmath>
#include <limits>
#include <utility>
#include <vector>

#include <boost/json/parse.hpp>
#include <boost/json/serializer.hpp>

namespace hw::protocol::sio {

namespace json = boost::json;

namespace {

// Ids stay below 2^53 so that JavaScript peers, which read them as doubles, see them exactly.
constexpr std::size_t max_id_digits = 15;

bool is_digit(char c) {
  return c >= '0' && c <= '9';
}

bool is_binary(packet_type t) {
  return t == packet_type::binary_event || t == packet_type::binary_ack;
}

// socket.io-parser's RESERVED_EVENTS.
bool reserved(std::string_view name) {
  return name == "connect" || name == "connect_error" || name == "disconnect" ||
         name == "disconnecting" || name == "newListener" || name == "removeListener";
}

// socket.io-parser has no namespace check (a JS string cannot hold invalid UTF-8). Ours is echoed
// in text frames and logs, so it must be valid UTF-8 without control characters.
bool namespace_valid(std::string_view s) {
  std::size_t i = 0;
  while (i < s.size()) {
    const auto c = static_cast<unsigned char>(s[i]);
    if (c < 0x80U) {
      if (c < 0x20U || c == 0x7FU) return false;
      ++i;
      continue;
    }
    std::size_t len = 0;
    std::uint32_t cp = 0;
    if (c >= 0xC2U && c <= 0xDFU) {
      len = 2;
      cp = c & 0x1FU;
    } else if (c >= 0xE0U && c <= 0xEFU) {
      len = 3;
      cp = c & 0x0FU;
    } else if (c >= 0xF0U && c <= 0xF4U) {
      len = 4;
      cp = c & 0x07U;
    } else {
      return false;
    }
    if (s.size() - i < len) return false;
    for (std::size_t k = 1; k < len; ++k) {
      const auto cc = static_cast<unsigned char>(s[i + k]);
      if ((cc & 0xC0U) != 0x80U) return false;
      cp = (cp << 6U) | (cc & 0x3FU);
    }
    // Overlong forms, UTF-16 surrogates and code points past U+10FFFF.
    if (len == 3 && (cp < 0x800U || (cp >= 0xD800U && cp <= 0xDFFFU))) return false;
    if (len == 4 && (cp < 0x10000U || cp > 0x10FFFFU)) return false;
    i += len;
  }
  return true;
}

// JSON.parse turns 1e400 into Infinity, which JSON.stringify would relay as null; a value we
// could not write back as the same JSON is refused instead.
bool all_finite(const json::value& v) {
  switch (v.kind()) {
    case json::kind::double_:
      return std::isfinite(v.get_double());
    case json::kind::array:
      for (const auto& x : v.get_array()) {
        if (!all_finite(x)) return false;
      }
      return true;
    case json::kind::object:
      for (const auto& kv : v.get_object()) {
        if (!all_finite(kv.value())) return false;
      }
      return true;
    default:
      return true;
  }
}

// What JSON.stringify does with NaN and infinities (Boost.JSON would write invalid JSON).
void null_non_finite(json::value& v) {
  if (v.is_double() && !std::isfinite(v.get_double())) {
    v = nullptr;
  } else if (auto* a = v.if_array()) {
    for (auto& x : *a)
      null_non_finite(x);
  } else if (auto* o = v.if_object()) {
    for (auto& kv : *o)
      null_non_finite(kv.value());
  }
}

int hex4(std::string_view s, std::size_t at) {
  if (at + 4 > s.size()) return -1;
  int v = 0;
  for (std::size_t k = at; k < at + 4; ++k) {
    const char c = s[k];
    int d = 0;
    if (is_digit(c)) {
      d = c - '0';
    } else if (c >= 'a' && c <= 'f') {
      d = c - 'a' + 10;
    } else if (c >= 'A' && c <= 'F') {
      d = c - 'A' + 10;
    } else {
      return -1;
    }
    v = v * 16 + d;
  }
  return v;
}

// JavaScript strings may hold lone UTF-16 surrogates (an emoji cut in half), and JSON.stringify
// escapes them as "\ud83d". Boost.JSON rejects those; we substitute U+FFFD rather than drop
// the client. Returns false when there is nothing to repair.
bool repair_surrogates(std::string_view in, std::string& out) {
  bool changed = false;
  std::size_t copied = 0;
  std::size_t i = 0;
  while ((i = in.find('\\', i)) != std::string_view::npos && i + 1 < in.size()) {
    const int cu = in[i + 1] == 'u' ? hex4(in, i + 2) : -1;
    if (cu < 0xD800 || cu > 0xDFFF) {
      i += 2;  // any other escape, including "\\"
      continue;
    }
    if (cu <= 0xDBFF && i + 12 <= in.size() && in[i + 6] == '\\' && in[i + 7] == 'u') {
      const int lo = hex4(in, i + 8);
      if (lo >= 0xDC00 && lo <= 0xDFFF) {
        i += 12;  // a proper pair
        continue;
      }
    }
    out.append(in.substr(copied, i - copied));
    out += "\\uFFFD";
    i += 6;
    copied = i;
    changed = true;
  }
  if (changed) out.append(in.substr(copied));
  return changed;
}

decode_error parse_json(std::string_view text, json::value& out, std::size_t max_depth) {
  json::parse_options po;
  po.max_depth = max_depth;
  boost::system::error_code ec;
  out = json::parse(text, ec, {}, po);
  if (ec) {
    std::string fixed;  // rare path: the only allocation besides the value and the namespace
    if (!repair_surrogates(text, fixed)) return decode_error::bad_json;
    ec = {};
    out = json::parse(fixed, ec, {}, po);
    if (ec) return decode_error::bad_json;
  }
  return all_finite(out) ? decode_error::none : decode_error::bad_json;
}

// socket.io-parser's isPayloadValid, plus what the protocol document makes mandatory (a payload
// for EVENT, ACK and CONNECT_ERROR, an id for ACK), which the JS decoder leaves to its callers.
decode_error check_payload(const packet& p) {
  const json::value& v = p.data;
  switch (p.type) {
    case packet_type::connect:
      return !p.has_data || v.is_object() ? decode_error::none : decode_error::invalid_payload;
    case packet_type::disconnect:
      return p.has_data ? decode_error::invalid_payload : decode_error::none;
    case packet_type::connect_error:
      return p.has_data && (v.is_string() || v.is_object()) ? decode_error::none
                                                            : decode_error::invalid_payload;
    case packet_type::event:
    case packet_type::binary_event: {
      const auto* a = v.if_array();
      if (!p.has_data || a == nullptr || a->empty()) return decode_error::invalid_payload;
      const auto& first = a->front();
      if (first.is_number()) return decode_error::none;  // numeric event names are allowed
      if (!first.is_string()) return decode_error::invalid_payload;
      return reserved(first.get_string()) ? decode_error::reserved_event : decode_error::none;
    }
    case packet_type::ack:
    case packet_type::binary_ack:
      if (!p.id) return decode_error::bad_id;
      return p.has_data && v.is_array() ? decode_error::none : decode_error::invalid_payload;
  }
  return decode_error::bad_type;
}

decode_error decode_impl(std::string_view in, packet& out, const decode_limits& lim) {
  // Reset in place: keeps the namespace's capacity ("/" fits the small-string buffer).
  out.type = packet_type::event;
  out.nsp.assign(1, '/');
  out.id.reset();
  out.data = nullptr;
  out.has_data = false;
  out.attachments = 0;

  if (in.empty()) return decode_error::empty;
  if (in[0] < '0' || in[0] > '6') return decode_error::bad_type;
  out.type = static_cast<packet_type>(in[0] - '0');
  const std::size_t n = in.size();
  std::size_t i = 1;

  if (is_binary(out.type)) {
    // Like socket.io-parser: everything up to the first '-' is the count, a whole number in
    // 1..max_attachments. Saturating keeps "5999999999999999999-" from wrapping around.
    const auto dash = in.find('-', i);
    if (dash == std::string_view::npos || dash == i) return decode_error::bad_attachments;
    std::size_t count = 0;
    constexpr std::size_t cap = std::numeric_limits<std::size_t>::max() / 10 - 1;
    for (const char c : in.substr(i, dash - i)) {
      if (!is_digit(c)) return decode_error::bad_attachments;
      count = count > cap ? cap + 1 : count * 10 + static_cast<std::size_t>(c - '0');
    }
    if (count < 1 || count > lim.max_attachments) return decode_error::bad_attachments;
    out.attachments = count;
    i = dash + 1;
  } else {
    // "21-[...]": an attachment count on a type that has none.
    std::size_t j = i;
    while (j < n && is_digit(in[j]))
      ++j;
    if (j > i && j < n && in[j] == '-') return decode_error::bad_attachments;
  }

  if (i < n && in[i] == '/') {
    // The namespace runs to the first ',' or to the end ("1/admin" is "1/admin,").
    const auto comma = in.find(',', i);
    const auto name = in.substr(i, comma == std::string_view::npos ? n - i : comma - i);
    if (!namespace_valid(name)) return decode_error::bad_namespace;
    out.nsp.assign(name);
    i = comma == std::string_view::npos ? n : comma + 1;
  }

  if (i < n && is_digit(in[i])) {
    // The id is the run of digits; whatever follows is the payload.
    const std::size_t start = i;
    while (i < n && is_digit(in[i]))
      ++i;
    if (i - start > max_id_digits) return decode_error::bad_id;
    std::uint64_t id = 0;
    for (std::size_t k = start; k < i; ++k)
      id = id * 10 + static_cast<std::uint64_t>(in[k] - '0');
    out.id = id;
  }

  if (i < n) {
    if (auto e = parse_json(in.substr(i), out.data, lim.max_depth); e != decode_error::none) {
      return e;
    }
    out.has_data = true;
  }
  return check_payload(out);
}

void append_number(std::string& out, std::uint64_t v) {
  char buf[24];
  const auto r = std::to_chars(buf, buf + sizeof buf, v);
  out.append(buf, r.ptr);
}

void append_json(std::string& out, const json::value& v) {
  json::serializer sr;
  sr.reset(&v);
  char buf[4096];
  while (!sr.done())
    out.append(sr.read(buf));
}

template <class F>
bool visit_placeholders(const json::value& v, std::size_t attachments, F& on_index) {
  if (const auto* a = v.if_array()) {
    for (const auto& x : *a) {
      if (!visit_placeholders(x, attachments, on_index)) return false;
    }
    return true;
  }
  const auto* o = v.if_object();
  if (o == nullptr) return true;
  // socket.io-parser treats any object with "_placeholder": true as one and throws
  // "illegal attachments" when its num is bad.
  if (const auto* flag = o->if_contains("_placeholder");
      flag != nullptr && flag->is_bool() && flag->get_bool()) {
    std::size_t index = 0;
    return is_placeholder(v, attachments, index) && on_index(index);
  }
  for (const auto& kv : *o) {
    if (!visit_placeholders(kv.value(), attachments, on_index)) return false;
  }
  return true;
}

}  // namespace

decode_error decode(std::string_view in, packet& out, const decode_limits& lim) {
  try {
    return decode_impl(in, out, lim);
  } catch (...) {
    // Only allocation failures can throw here (the parser reports errors by code).
    return decode_error::bad_json;
  }
}

void encode(std::string& out, const packet& p) {
  out += static_cast<char>('0' + static_cast<int>(p.type));
  if (is_binary(p.type)) {
    append_number(out, p.attachments);
    out += '-';
  }
  // The namespace must start with '/' and hold no ',' (there is no escape on the wire).
  if (!p.nsp.empty() && p.nsp != "/") {
    out += p.nsp;
    out += ',';
  }
  if (p.id) append_number(out, *p.id);
  if (!p.has_data) return;
  if (all_finite(p.data)) {
    append_json(out, p.data);
  } else {
    json::value copy = p.data;  // rare: an application value holding NaN or an infinity
    null_non_finite(copy);
    append_json(out, copy);
  }
}

bool is_placeholder(const json::value& v, std::size_t attachments, std::size_t& index) {
  const auto* o = v.if_object();
  if (o == nullptr) return false;
  const auto* flag = o->if_contains("_placeholder");
  const auto* num = o->if_contains("num");
  if (flag == nullptr || num == nullptr || !flag->is_bool() || !flag->get_bool()) return false;
  std::uint64_t n = 0;
  if (num->is_uint64()) {
    n = num->get_uint64();
  } else if (num->is_int64()) {
    if (num->get_int64() < 0) return false;
    n = static_cast<std::uint64_t>(num->get_int64());
  } else if (num->is_double()) {
    // JS has one number type: 1.0 is a fine index, 0.5 is not.
    const double d = num->get_double();
    if (!(d >= 0 && d < 9007199254740992.0) || std::floor(d) != d) return false;
    n = static_cast<std::uint64_t>(d);
  } else {
    return false;
  }
  if (n >= attachments) return false;
  index = static_cast<std::size_t>(n);
  return true;
}

bool placeholders_valid(const json::value& v, std::size_t attachments) {
  // First pass: every placeholder is well formed, and there are exactly `attachments` of them;
  // the second then needs no more memory than the value itself holds.
  std::size_t count = 0;
  auto counter = [&count](std::size_t) {
    ++count;
    return true;
  };
  if (!visit_placeholders(v, attachments, counter) || count != attachments) return false;
  if (attachments <= 64) {
    std::uint64_t seen = 0;
    auto once = [&seen](std::size_t i) {
      const std::uint64_t bit = std::uint64_t{1} << i;
      return (std::exchange(seen, seen | bit) & bit) == 0;
    };
    return visit_placeholders(v, attachments, once);
  }
  std::vector<bool> seen(attachments, false);
  auto once = [&seen](std::size_t i) {
    if (seen[i]) return false;
    seen[i] = true;
    return true;
  };
  return visit_placeholders(v, attachments, once);
}

std::string_view to_string(decode_error e) {
  switch (e) {
    case decode_error::none:
      return "none";
    case decode_error::empty:
      return "empty packet";
    case decode_error::bad_type:
      return "unknown packet type";
    case decode_error::bad_attachments:
      return "illegal attachments";
    case decode_error::bad_namespace:
      return "invalid namespace";
    case decode_error::bad_id:
      return "invalid ack id";
    case decode_error::bad_json:
      return "invalid JSON";
    case decode_error::invalid_payload:
      return "invalid payload";
    case decode_error::reserved_event:
      return "reserved event name";
  }
  return "unknown";
}

}  // namespace hw::protocol::sio

#include "protocol/socketio.hpp"

#include <algorithm>
#include <charconv>
#include <cmath>
#include <limits>
#include <utility>
#include <vector>

#include <boost/json/basic_parser_impl.hpp>
#include <boost/json/serializer.hpp>
#include <boost/json/value_stack.hpp>

#include "core/utf8.hpp"

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
  // Well-formed UTF-8 without control characters (C0 and DEL).
  for (std::size_t i = 0; i < s.size();) {
    char32_t cp = 0;
    const std::size_t len = core::decode_utf8(s, i, cp);
    if (len == 0 || cp < 0x20U || cp == 0x7FU) return false;
    i += len;
  }
  return true;
}

// What JSON.stringify does with NaN and infinities (Boost.JSON would write bare words, which
// are not JSON). Returns whether anything changed.
bool null_non_finite(json::value& v) {
  bool changed = false;
  if (v.is_double() && !std::isfinite(v.get_double())) {
    v = nullptr;
    changed = true;
  } else if (auto* a = v.if_array()) {
    for (auto& x : *a)
      changed |= null_non_finite(x);
  } else if (auto* o = v.if_object()) {
    for (auto& kv : *o)
      changed |= null_non_finite(kv.value());
  }
  return changed;
}

// Builds the value as boost::json::parser does, with two differences for doubles:
// - Boost.JSON 1.81 rounds them imprecisely (one ULP off for ~10% of Math.random() values,
//   which a relay would pass on); std::from_chars reads them exactly, as JSON.parse does.
// - Numbers beyond the double range are refused: JSON.parse makes them Infinity, which
//   JSON.stringify relays as null, and we could not write them back as the same JSON.
struct exact_handler {
  using error_code = boost::system::error_code;
  using sv = json::string_view;
  static constexpr std::size_t max_object_size = json::object::max_size();
  static constexpr std::size_t max_array_size = json::array::max_size();
  static constexpr std::size_t max_key_size = json::string::max_size();
  static constexpr std::size_t max_string_size = json::string::max_size();

  json::value_stack st;
  bool split_number = false;  // only when input arrives in pieces, which it never does here

  exact_handler(unsigned char* buf, std::size_t size) : st({}, buf, size) {}

  bool on_document_begin(error_code&) { return true; }
  bool on_document_end(error_code&) { return true; }
  bool on_object_begin(error_code&) { return true; }
  bool on_object_end(std::size_t n, error_code&) { return st.push_object(n), true; }
  bool on_array_begin(error_code&) { return true; }
  bool on_array_end(std::size_t n, error_code&) { return st.push_array(n), true; }
  bool on_key_part(sv s, std::size_t, error_code&) { return st.push_chars(s), true; }
  bool on_key(sv s, std::size_t, error_code&) { return st.push_key(s), true; }
  bool on_string_part(sv s, std::size_t, error_code&) { return st.push_chars(s), true; }
  bool on_string(sv s, std::size_t, error_code&) { return st.push_string(s), true; }
  bool on_number_part(sv, error_code&) { return split_number = true; }
  bool on_int64(std::int64_t i, sv, error_code&) { return st.push_int64(i), true; }
  bool on_uint64(std::uint64_t u, sv, error_code&) { return st.push_uint64(u), true; }
  bool on_bool(bool b, error_code&) { return st.push_bool(b), true; }
  bool on_null(error_code&) { return st.push_null(), true; }
  bool on_comment_part(sv, error_code&) { return true; }
  bool on_comment(sv, error_code&) { return true; }

  bool on_double(double d, sv s, error_code& ec) {
    double exact = 0;
    const auto r = std::from_chars(s.data(), s.data() + s.size(), exact);
    // Out of range (1e400, 1e-400) leaves `exact` unset; Boost's inf or 0 is then right.
    if (!split_number && r.ec == std::errc{} && r.ptr == s.data() + s.size()) d = exact;
    if (!std::isfinite(d)) {
      ec = json::error::exponent_overflow;
      return false;
    }
    st.push_double(d);
    return true;
  }
};

bool parse_exact(std::string_view text, json::value& out, std::size_t max_depth) {
  json::parse_options po;
  po.max_depth = max_depth;
  unsigned char temp[BOOST_JSON_STACK_BUFFER_SIZE];  // as json::parse: no allocation for the stack
  json::basic_parser<exact_handler> p(po, temp, sizeof temp);
  p.handler().st.reset();
  boost::system::error_code ec;
  const auto n = p.write_some(false, text.data(), text.size(), ec);
  if (ec || n != text.size() || !p.done()) return false;
  out = p.handler().st.release();
  return true;
}

int hex4(std::string_view s, std::size_t at) {
  if (at + 4 > s.size()) return -1;
  int v = 0;
  for (const char c : s.substr(at, 4)) {
    const char lower = static_cast<char>(c | 0x20);
    if (is_digit(c)) {
      v = v * 16 + (c - '0');
    } else if (lower >= 'a' && lower <= 'f') {
      v = v * 16 + (lower - 'a' + 10);
    } else {
      return -1;
    }
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
  if (parse_exact(text, out, max_depth)) return decode_error::none;
  std::string fixed;  // rare path: the only allocation besides the value and the namespace
  if (repair_surrogates(text, fixed) && parse_exact(fixed, out, max_depth)) {
    return decode_error::none;
  }
  return decode_error::bad_json;
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

// The "<count>-" prefix of a binary packet, starting at `i` (moved past it); on other types,
// refuses a count that should not be there ("21-[...]").
decode_error read_attachments(std::string_view in, std::size_t& i, packet& out,
                              const decode_limits& lim) {
  const std::size_t n = in.size();
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
  return decode_error::none;
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

  if (auto e = read_attachments(in, i, out, lim); e != decode_error::none) return e;

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
  const std::size_t start = out.size();
  append_json(out, p.data);
  // A scan for the words Boost.JSON writes for NaN and infinities spares a walk of the value.
  const std::string_view written = std::string_view(out).substr(start);
  if (written.find("Infinity") == std::string_view::npos &&
      written.find("NaN") == std::string_view::npos) {
    return;
  }
  json::value copy = p.data;           // rare: an application value holding NaN or an infinity
  if (!null_non_finite(copy)) return;  // the words were inside strings
  out.resize(start);
  append_json(out, copy);
}

bool is_placeholder(const json::value& v, std::size_t attachments, std::size_t& index) {
  const auto* o = v.if_object();
  if (o == nullptr) return false;
  const auto* flag = o->if_contains("_placeholder");
  const auto* num = o->if_contains("num");
  if (flag == nullptr || num == nullptr || !flag->is_bool() || !flag->get_bool()) return false;
  // JS has one number type: 1.0 is a fine index, 0.5 and -1 are not.
  boost::system::error_code ec;
  const auto n = num->to_number<std::uint64_t>(ec);
  if (ec || n >= attachments) return false;
  index = static_cast<std::size_t>(n);
  return true;
}

bool placeholders_valid(const json::value& v, std::size_t attachments) {
  // Exactly `attachments` placeholders, no index twice: each attachment is referenced once.
  std::size_t count = 0;
  std::uint64_t low = 0;          // indices below 64, the usual case, without allocating
  std::vector<std::size_t> high;  // the rest, bounded by the placeholders in the value
  auto once = [&](std::size_t i) {
    ++count;
    if (i >= 64) {
      high.push_back(i);
      return true;
    }
    const std::uint64_t bit = std::uint64_t{1} << i;
    return (std::exchange(low, low | bit) & bit) == 0;
  };
  if (!visit_placeholders(v, attachments, once) || count != attachments) return false;
  std::sort(high.begin(), high.end());
  return std::adjacent_find(high.begin(), high.end()) == high.end();
}

std::string_view to_string(decode_error e) {
  static constexpr std::string_view names[] = {"none",
                                               "empty packet",
                                               "unknown packet type",
                                               "illegal attachments",
                                               "invalid namespace",
                                               "invalid ack id",
                                               "invalid JSON",
                                               "invalid payload",
                                               "reserved event name"};
  const auto i = static_cast<std::size_t>(e);
  return i < std::size(names) ? names[i] : "unknown";
}

}  // namespace hw::protocol::sio

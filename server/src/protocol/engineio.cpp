#include "protocol/engineio.hpp"

#include <algorithm>
#include <array>
#include <new>

namespace hw::protocol::eio {

namespace {

constexpr char separator = '\x1e';
constexpr std::string_view alphabet =
    "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
constexpr std::uint8_t invalid = 0xFF;

constexpr std::array<std::uint8_t, 256> make_reverse() {
  std::array<std::uint8_t, 256> r{};
  r.fill(invalid);
  for (std::size_t i = 0; i < alphabet.size(); ++i) {
    r[static_cast<unsigned char>(alphabet[i])] = static_cast<std::uint8_t>(i);
  }
  return r;
}
constexpr auto reverse = make_reverse();

std::uint32_t sextet(char c) {
  return reverse[static_cast<unsigned char>(c)];
}

}  // namespace

decode_error decode_text(std::string_view frame, packet_view& out) {
  if (frame.empty()) return decode_error::empty;
  const char t = frame.front();
  // 'b' (base64) is a polling-only form, handled by decode_payload.
  if (t < '0' || t > '6') return decode_error::bad_type;
  out.type = static_cast<packet_type>(t - '0');
  out.binary = false;
  out.data = frame.substr(1);
  return decode_error::none;
}

void encode_text(std::string& out, packet_type type, std::string_view data) {
  out += static_cast<char>('0' + static_cast<int>(type));
  out.append(data);
}

decode_error decode_payload(std::string_view body, std::vector<packet>& out,
                            std::size_t max_packets) {
  if (body.empty()) {
    out.clear();
    return decode_error::empty;
  }
  // Count first: an oversized payload is refused before any allocation, and the vector is sized
  // once. Reusing existing elements keeps their string capacity across requests.
  const auto records =
      static_cast<std::size_t>(std::count(body.begin(), body.end(), separator)) + 1;
  if (records > max_packets) {
    out.clear();
    return decode_error::too_many;
  }
  auto result = decode_error::none;
  try {
    out.resize(records);
    std::size_t start = 0;
    for (auto& p : out) {
      auto end = body.find(separator, start);
      if (end == std::string_view::npos) end = body.size();
      const auto item = body.substr(start, end - start);
      start = end + 1;
      if (!item.empty() && item.front() == 'b') {
        p.type = packet_type::message;
        p.binary = true;
        if (!base64_decode(item.substr(1), p.data)) {
          result = decode_error::bad_base64;
          break;
        }
        continue;
      }
      packet_view v;
      if (result = decode_text(item, v); result != decode_error::none) break;
      p.type = v.type;
      p.binary = false;
      p.data.assign(v.data);
    }
  } catch (const std::bad_alloc&) {
    // Only a body far beyond any sane HTTP limit gets here: treat it as over the limit.
    result = decode_error::too_many;
  }
  if (result != decode_error::none) out.clear();
  return result;
}

void encode_payload_append(std::string& out, packet_type type, std::string_view data, bool binary) {
  if (!out.empty()) out += separator;
  if (binary) {
    out += 'b';
    base64_encode_append(out, data);
  } else {
    encode_text(out, type, data);
  }
}

void base64_encode_append(std::string& out, std::string_view data) {
  const auto* p = reinterpret_cast<const unsigned char*>(data.data());
  const std::size_t n = data.size();
  const std::size_t base = out.size();
  out.resize(base + (n + 2) / 3 * 4);
  char* w = out.data() + base;
  std::size_t i = 0;
  for (; i + 3 <= n; i += 3) {
    const std::uint32_t v =
        (std::uint32_t{p[i]} << 16U) | (std::uint32_t{p[i + 1]} << 8U) | p[i + 2];
    *w++ = alphabet[(v >> 18U) & 63U];
    *w++ = alphabet[(v >> 12U) & 63U];
    *w++ = alphabet[(v >> 6U) & 63U];
    *w++ = alphabet[v & 63U];
  }
  if (const std::size_t rest = n - i; rest != 0) {
    std::uint32_t v = std::uint32_t{p[i]} << 16U;
    if (rest == 2) v |= std::uint32_t{p[i + 1]} << 8U;
    *w++ = alphabet[(v >> 18U) & 63U];
    *w++ = alphabet[(v >> 12U) & 63U];
    *w++ = rest == 2 ? alphabet[(v >> 6U) & 63U] : '=';
    *w++ = '=';
  }
}

bool base64_decode(std::string_view in, std::string& out) {
  out.clear();
  if (in.size() % 4 != 0) return false;
  if (in.empty()) return true;
  // Padding can only end the last quantum: "xx==" or "xxx=".
  std::size_t pad = 0;
  if (in.back() == '=') pad = in[in.size() - 2] == '=' ? 2 : 1;
  out.resize(in.size() / 4 * 3 - pad);
  char* w = out.data();
  const std::size_t full = pad == 0 ? in.size() : in.size() - 4;
  for (std::size_t i = 0; i < full; i += 4) {
    const std::uint32_t a = sextet(in[i]), b = sextet(in[i + 1]), c = sextet(in[i + 2]),
                        d = sextet(in[i + 3]);
    if ((a | b | c | d) > 63U) return false;  // an invalid byte maps to 0xFF
    const std::uint32_t v = (a << 18U) | (b << 12U) | (c << 6U) | d;
    *w++ = static_cast<char>(v >> 16U);
    *w++ = static_cast<char>((v >> 8U) & 0xFFU);
    *w++ = static_cast<char>(v & 0xFFU);
  }
  if (pad != 0) {
    const std::string_view q = in.substr(full);
    const std::uint32_t a = sextet(q[0]), b = sextet(q[1]), c = pad == 1 ? sextet(q[2]) : 0;
    if ((a | b | c) > 63U) return false;
    const std::uint32_t v = (a << 18U) | (b << 12U) | (c << 6U);
    // Canonical form only: the bits that padding drops must be zero (RFC 4648 section 3.5).
    if ((pad == 2 ? (v & 0xFFFFU) : (v & 0xFFU)) != 0) return false;
    *w++ = static_cast<char>(v >> 16U);
    if (pad == 1) *w++ = static_cast<char>((v >> 8U) & 0xFFU);
  }
  return true;
}

std::string_view to_string(decode_error e) {
  static constexpr std::string_view names[] = {"none", "empty packet", "unknown packet type",
                                               "invalid base64", "too many packets"};
  const auto i = static_cast<std::size_t>(e);
  return i < std::size(names) ? names[i] : "unknown";
}

}  // namespace hw::protocol::eio

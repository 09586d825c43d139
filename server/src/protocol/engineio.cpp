#include "protocol/engineio.hpp"

#include <array>

namespace hw::protocol::eio {

namespace {
constexpr char separator = '\x1e';
constexpr std::string_view alphabet =
    "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";

constexpr std::array<signed char, 256> make_reverse() {
  std::array<signed char, 256> r{};
  for (auto& x : r) x = -1;
  for (std::size_t i = 0; i < alphabet.size(); ++i) {
    r[static_cast<unsigned char>(alphabet[i])] = static_cast<signed char>(i);
  }
  return r;
}
constexpr auto reverse = make_reverse();
}  // namespace

decode_error decode_text(std::string_view frame, packet_view& out) {
  if (frame.empty()) return decode_error::empty;
  const char t = frame[0];
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
  out.clear();
  if (body.empty()) return decode_error::empty;
  std::size_t start = 0;
  while (start <= body.size()) {
    auto end = body.find(separator, start);
    if (end == std::string_view::npos) end = body.size();
    const auto item = body.substr(start, end - start);
    if (out.size() >= max_packets) return decode_error::too_many;
    packet p;
    if (!item.empty() && item[0] == 'b') {
      p.type = packet_type::message;
      p.binary = true;
      if (!base64_decode(item.substr(1), p.data)) return decode_error::bad_base64;
    } else {
      packet_view v;
      if (auto e = decode_text(item, v); e != decode_error::none) return e;
      p.type = v.type;
      p.data = std::string(v.data);
    }
    out.push_back(std::move(p));
    start = end + 1;
  }
  return decode_error::none;
}

void encode_payload_append(std::string& out, packet_type type, std::string_view data,
                           bool binary) {
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
  out.reserve(out.size() + (n + 2) / 3 * 4);
  std::size_t i = 0;
  for (; i + 3 <= n; i += 3) {
    const std::uint32_t v = (p[i] << 16U) | (p[i + 1] << 8U) | p[i + 2];
    out += alphabet[(v >> 18U) & 63U];
    out += alphabet[(v >> 12U) & 63U];
    out += alphabet[(v >> 6U) & 63U];
    out += alphabet[v & 63U];
  }
  if (n - i == 1) {
    const std::uint32_t v = p[i] << 16U;
    out += alphabet[(v >> 18U) & 63U];
    out += alphabet[(v >> 12U) & 63U];
    out += "==";
  } else if (n - i == 2) {
    const std::uint32_t v = (p[i] << 16U) | (p[i + 1] << 8U);
    out += alphabet[(v >> 18U) & 63U];
    out += alphabet[(v >> 12U) & 63U];
    out += alphabet[(v >> 6U) & 63U];
    out += '=';
  }
}

bool base64_decode(std::string_view in, std::string& out) {
  out.clear();
  if (in.size() % 4 != 0) return false;
  out.reserve(in.size() / 4 * 3);
  for (std::size_t i = 0; i < in.size(); i += 4) {
    const bool last = i + 4 == in.size();
    int v[4];
    int pad = 0;
    for (int k = 0; k < 4; ++k) {
      const auto c = static_cast<unsigned char>(in[i + static_cast<std::size_t>(k)]);
      if (c == '=' && last && k >= 2) {
        v[k] = 0;
        ++pad;
        continue;
      }
      if (pad > 0) return false;  // data after padding
      v[k] = reverse[c];
      if (v[k] < 0) return false;
    }
    const std::uint32_t w = (static_cast<std::uint32_t>(v[0]) << 18U) |
                            (static_cast<std::uint32_t>(v[1]) << 12U) |
                            (static_cast<std::uint32_t>(v[2]) << 6U) |
                            static_cast<std::uint32_t>(v[3]);
    out += static_cast<char>((w >> 16U) & 0xFFU);
    if (pad < 2) out += static_cast<char>((w >> 8U) & 0xFFU);
    if (pad < 1) out += static_cast<char>(w & 0xFFU);
  }
  return true;
}

std::string_view to_string(decode_error e) {
  switch (e) {
    case decode_error::none: return "none";
    case decode_error::empty: return "empty packet";
    case decode_error::bad_type: return "unknown packet type";
    case decode_error::bad_base64: return "invalid base64";
    case decode_error::too_many: return "too many packets";
  }
  return "unknown";
}

}  // namespace hw::protocol::eio

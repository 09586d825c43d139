#include "core/json_escape.hpp"

#include <cstdint>

namespace hw::core {

namespace {
// Length of the valid UTF-8 sequence at s[i], or 0 when it is not valid (overlongs, surrogates
// and code points above U+10FFFF are invalid).
std::size_t utf8_len(std::string_view s, std::size_t i) {
  const auto b = [&](std::size_t k) { return static_cast<unsigned char>(s[i + k]); };
  const unsigned char c = b(0);
  const std::size_t left = s.size() - i;
  const auto cont = [&](std::size_t k) { return k < left && (b(k) & 0xC0U) == 0x80U; };
  if (c < 0x80U) return 1;
  if (c >= 0xC2U && c <= 0xDFU) return cont(1) ? 2 : 0;
  if (c >= 0xE0U && c <= 0xEFU) {
    if (!cont(1) || !cont(2)) return 0;
    if (c == 0xE0U && b(1) < 0xA0U) return 0;
    if (c == 0xEDU && b(1) > 0x9FU) return 0;
    return 3;
  }
  if (c >= 0xF0U && c <= 0xF4U) {
    if (!cont(1) || !cont(2) || !cont(3)) return 0;
    if (c == 0xF0U && b(1) < 0x90U) return 0;
    if (c == 0xF4U && b(1) > 0x8FU) return 0;
    return 4;
  }
  return 0;
}
}  // namespace

void json_escape_append(std::string& out, std::string_view s) {
  static constexpr char hex[] = "0123456789abcdef";
  out.reserve(out.size() + s.size());
  for (std::size_t i = 0; i < s.size();) {
    const auto c = static_cast<unsigned char>(s[i]);
    if (c >= 0x80U) {
      const std::size_t n = utf8_len(s, i);
      if (n == 0) {
        out += "\xEF\xBF\xBD";
        ++i;
      } else {
        out.append(s.substr(i, n));
        i += n;
      }
      continue;
    }
    switch (c) {
      case '"':
        out += "\\\"";
        break;
      case '\\':
        out += "\\\\";
        break;
      case '\n':
        out += "\\n";
        break;
      case '\r':
        out += "\\r";
        break;
      case '\t':
        out += "\\t";
        break;
      default:
        if (c < 0x20U || c == 0x7FU) {
          out += "\\u00";
          out += hex[c >> 4U];
          out += hex[c & 0xFU];
        } else {
          out += static_cast<char>(c);
        }
    }
    ++i;
  }
}

}  // namespace hw::core

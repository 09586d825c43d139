#include "core/json_escape.hpp"

#include "core/utf8.hpp"

#include <cstdint>

namespace hw::core {

void json_escape_append(std::string& out, std::string_view s) {
  static constexpr char hex[] = "0123456789abcdef";
  out.reserve(out.size() + s.size());
  for (std::size_t i = 0; i < s.size();) {
    const auto c = static_cast<unsigned char>(s[i]);
    if (c >= 0x80U) {
      char32_t cp = 0;
      const std::size_t n = decode_utf8(s, i, cp);
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

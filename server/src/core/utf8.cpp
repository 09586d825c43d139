#include "core/utf8.hpp"

#include <cstdint>
#include <cstring>

namespace hw::core {

// Decodes the code point starting at s[i] following the Unicode "well-formed UTF-8" table
// (Table 3-7): this is what rules out overlongs (C0, C1, E0 80–9F, F0 80–8F), surrogates
// (ED A0–BF) and values above U+10FFFF (F4 90+, F5–FF). Returns the byte length, 0 if malformed.
std::size_t decode_utf8(std::string_view s, std::size_t i, char32_t& cp) {
  const auto b = [&](std::size_t k) { return static_cast<unsigned char>(s[i + k]); };
  const unsigned char c0 = b(0);
  if (c0 < 0x80U) {
    cp = c0;
    return 1;
  }
  std::size_t len = 0;
  unsigned char lo = 0x80U;
  unsigned char hi = 0xBFU;
  if (c0 >= 0xC2U && c0 <= 0xDFU) {
    len = 2;
  } else if (c0 >= 0xE0U && c0 <= 0xEFU) {
    len = 3;
    if (c0 == 0xE0U) lo = 0xA0U;
    if (c0 == 0xEDU) hi = 0x9FU;
  } else if (c0 >= 0xF0U && c0 <= 0xF4U) {
    len = 4;
    if (c0 == 0xF0U) lo = 0x90U;
    if (c0 == 0xF4U) hi = 0x8FU;
  } else {
    return 0;  // stray continuation byte, C0/C1 overlong lead, or F5–FF
  }
  if (s.size() - i < len) return 0;
  if (b(1) < lo || b(1) > hi) return 0;
  char32_t v = c0 & (len == 2 ? 0x1FU : len == 3 ? 0x0FU : 0x07U);
  v = (v << 6U) | (b(1) & 0x3FU);
  for (std::size_t k = 2; k < len; ++k) {
    if (b(k) < 0x80U || b(k) > 0xBFU) return 0;
    v = (v << 6U) | (b(k) & 0x3FU);
  }
  cp = v;
  return len;
}

bool valid_utf8(std::string_view s) {
  std::size_t i = 0;
  char32_t cp = 0;
  while (i < s.size()) {
    if (i + 8 <= s.size()) {  // fast path: 8 ASCII bytes at a time
      std::uint64_t w = 0;
      std::memcpy(&w, s.data() + i, 8);
      if ((w & 0x8080808080808080ULL) == 0) {
        i += 8;
        continue;
      }
    }
    const std::size_t n = decode_utf8(s, i, cp);
    if (n == 0) return false;
    i += n;
  }
  return true;
}

}  // namespace hw::core

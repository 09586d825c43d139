#pragma once
// Strict UTF-8 (the Unicode "well-formed UTF-8" table): one implementation for the WebSocket
// text check, JSON escaping of log fields and the validators of guest input.

#include <cstddef>
#include <string_view>

namespace hw::core {

/// Decodes the code point starting at s[i]. Returns its byte length, or 0 when the bytes there
/// are malformed (overlongs, surrogates, > U+10FFFF, stray continuation, truncation).
std::size_t decode_utf8(std::string_view s, std::size_t i, char32_t& cp);

/// True when all of `s` is well-formed UTF-8 (ASCII runs are checked 8 bytes at a time).
bool valid_utf8(std::string_view s);

}  // namespace hw::core

#include "app/file_name.hpp"

#include "app/validate.hpp"
#include "core/utf8.hpp"

namespace hw::app {

namespace {

constexpr char32_t replacement_char = 0xFFFD;

// Characters that would make a name lie about itself (bidi overrides reorder "gnp.exe" into
// "exe.png"; zero-width and invisible ones make two names look alike) or break a line.
bool dropped(char32_t cp) {
  return cp < 0x20U || (cp >= 0x7FU && cp <= 0x9FU) || cp == 0x061CU || cp == 0x200BU ||
         cp == 0x200EU || cp == 0x200FU || cp == 0x2028U || cp == 0x2029U ||
         (cp >= 0x202AU && cp <= 0x202EU) || (cp >= 0x2060U && cp <= 0x2069U) || cp == 0xFEFFU;
}

bool reserved(char32_t cp) {
  return cp == '"' || cp == '*' || cp == ':' || cp == '<' || cp == '>' || cp == '?' || cp == '|';
}

void append_utf8(std::string& out, char32_t cp) {
  if (cp < 0x80U) {
    out.push_back(static_cast<char>(cp));
  } else if (cp < 0x800U) {
    out.push_back(static_cast<char>(0xC0U | (cp >> 6U)));
    out.push_back(static_cast<char>(0x80U | (cp & 0x3FU)));
  } else if (cp < 0x10000U) {
    out.push_back(static_cast<char>(0xE0U | (cp >> 12U)));
    out.push_back(static_cast<char>(0x80U | ((cp >> 6U) & 0x3FU)));
    out.push_back(static_cast<char>(0x80U | (cp & 0x3FU)));
  } else {
    out.push_back(static_cast<char>(0xF0U | (cp >> 18U)));
    out.push_back(static_cast<char>(0x80U | ((cp >> 12U) & 0x3FU)));
    out.push_back(static_cast<char>(0x80U | ((cp >> 6U) & 0x3FU)));
    out.push_back(static_cast<char>(0x80U | (cp & 0x3FU)));
  }
}

// The last path component of `raw` as valid UTF-8, without dropped characters and with the
// reserved ones replaced.
std::string last_component(std::string_view raw) {
  std::string out;
  std::size_t i = 0;
  while (i < raw.size()) {
    char32_t cp = 0;
    std::size_t n = core::decode_utf8(raw, i, cp);
    if (n == 0) {
      cp = replacement_char;
      n = 1;
    }
    i += n;
    if (cp == '/' || cp == '\\') {
      out.clear();
    } else if (reserved(cp)) {
      out.push_back('_');
    } else if (!dropped(cp)) {
      append_utf8(out, cp);
    }
  }
  return out;
}

bool trimmed(char32_t cp) {
  return cp == '.' || is_unicode_space(cp);
}

bool continuation(char c) {
  return (static_cast<unsigned char>(c) & 0xC0U) == 0x80U;
}

// Strips dots and white space from the end of valid UTF-8.
void trim_back(std::string& s) {
  while (!s.empty()) {
    std::size_t start = s.size() - 1;
    while (start > 0 && continuation(s[start]))
      --start;
    char32_t cp = 0;
    core::decode_utf8(s, start, cp);
    if (!trimmed(cp)) return;
    s.resize(start);
  }
}

void trim_front(std::string& s) {
  std::size_t i = 0;
  while (i < s.size()) {
    char32_t cp = 0;
    const std::size_t n = core::decode_utf8(s, i, cp);
    if (!trimmed(cp)) break;
    i += n;
  }
  s.erase(0, i);
}

// The longest prefix of valid UTF-8 `s` of at most `max` bytes that ends on a code point.
std::string_view cut(std::string_view s, std::size_t max) {
  if (s.size() <= max) return s;
  std::size_t n = max;
  while (n > 0 && continuation(s[n]))
    --n;
  return s.substr(0, n);
}

}  // namespace

std::string sanitize_file_name(std::string_view raw) {
  std::string name = last_component(raw);
  trim_front(name);
  trim_back(name);
  if (name.size() > file_name_max_bytes) {
    const std::size_t dot = name.rfind('.');
    const bool keep_extension =
        dot != std::string::npos && dot > 0 && name.size() - dot <= file_extension_max_bytes;
    if (keep_extension) {
      const std::string extension = name.substr(dot);
      std::string stem(
          cut(std::string_view(name).substr(0, dot), file_name_max_bytes - extension.size()));
      trim_back(stem);
      name = stem + extension;
    } else {
      name = std::string(cut(name, file_name_max_bytes));
      trim_back(name);
    }
  }
  return name.empty() ? std::string("file") : name;
}

}  // namespace hw::app

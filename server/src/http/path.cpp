#include "http/path.hpp"

namespace hw::http {

namespace {

int hex_value(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

// Decodes the escape at s[i] ('%' followed by two hex digits); -1 when malformed.
int decode_escape(std::string_view s, std::size_t i) {
  if (s.size() - i < 3) return -1;
  const int hi = hex_value(s[i + 1]);
  const int lo = hex_value(s[i + 2]);
  if (hi < 0 || lo < 0) return -1;
  return hi * 16 + lo;
}

// Control characters never belong in a file name we serve; a backslash is a separator on
// Windows and in some proxies, so it is refused rather than interpreted.
bool forbidden(unsigned char c) {
  return c < 0x20U || c == 0x7FU || c == '\\';
}

sanitized_path refused(path_error e) {
  sanitized_path r;
  r.error = e;
  return r;
}

}  // namespace

std::optional<std::string> percent_decode(std::string_view s) {
  std::string out;
  out.reserve(s.size());
  for (std::size_t i = 0; i < s.size(); ++i) {
    if (s[i] != '%') {
      out.push_back(s[i]);
      continue;
    }
    const int v = decode_escape(s, i);
    if (v < 0) return std::nullopt;
    out.push_back(static_cast<char>(v));
    i += 2;
  }
  return out;
}

// Works segment by segment on the raw path, so an escape can never create a separator and the
// "." / ".." check sees exactly the name the filesystem will see. Errors are reported in the
// order they are met, left to right.
sanitized_path sanitize_path(std::string_view raw_path) {
  if (raw_path.empty() || raw_path.front() != '/') return refused(path_error::malformed);
  sanitized_path out;
  out.trailing_slash = raw_path.back() == '/';
  std::size_t pos = 0;
  while (pos < raw_path.size()) {
    std::size_t end = raw_path.find('/', pos);
    if (end == std::string_view::npos) end = raw_path.size();
    const std::string_view seg = raw_path.substr(pos, end - pos);
    pos = end + 1;
    if (seg.empty()) continue;  // "//" collapses
    std::string name;
    name.reserve(seg.size());
    for (std::size_t i = 0; i < seg.size(); ++i) {
      char c = seg[i];
      if (c == '%') {
        const int v = decode_escape(seg, i);
        if (v < 0) return refused(path_error::malformed);
        c = static_cast<char>(v);
        if (c == '/' || c == '\\' || c == '%') return refused(path_error::encoded_separator);
        i += 2;
      }
      if (forbidden(static_cast<unsigned char>(c))) return refused(path_error::forbidden_char);
      name.push_back(c);
    }
    if (name == "." || name == "..") return refused(path_error::traversal);
    if (!out.relative.empty()) out.relative.push_back('/');
    out.relative += name;
  }
  return out;
}

std::string query_param(std::string_view query, std::string_view key) {
  while (!query.empty()) {
    auto amp = query.find('&');
    auto item = query.substr(0, amp);
    auto eq = item.find('=');
    if (item.substr(0, eq) == key) {
      if (eq == std::string_view::npos) return {};
      return percent_decode(item.substr(eq + 1)).value_or(std::string());
    }
    if (amp == std::string_view::npos) break;
    query.remove_prefix(amp + 1);
  }
  return {};
}

}  // namespace hw::http

#include "http/ranges.hpp"

#include <algorithm>
#include <limits>
#include <optional>
#include <utility>

namespace hw::http {

namespace {

constexpr std::uint64_t u64_max = std::numeric_limits<std::uint64_t>::max();

std::string_view trim_ows(std::string_view s) {
  while (!s.empty() && (s.front() == ' ' || s.front() == '\t'))
    s.remove_prefix(1);
  while (!s.empty() && (s.back() == ' ' || s.back() == '\t'))
    s.remove_suffix(1);
  return s;
}

// A non-empty run of digits, saturating at 2^64-1 instead of wrapping: a first-pos that large
// is past any end, a last-pos or suffix that large means "to the end".
std::optional<std::uint64_t> parse_pos(std::string_view s) {
  if (s.empty()) return std::nullopt;
  std::uint64_t v = 0;
  for (const char c : s) {
    if (c < '0' || c > '9') return std::nullopt;
    const auto d = static_cast<std::uint64_t>(c - '0');
    v = v > (u64_max - d) / 10 ? u64_max : v * 10 + d;
  }
  return v;
}

/// One range-spec: first-last (last = u64_max for "first-"), or the last `first` bytes.
struct range_spec {
  bool suffix = false;
  std::uint64_t first = 0;
  std::uint64_t last = u64_max;
};

std::optional<range_spec> parse_spec(std::string_view item) {
  const std::size_t dash = item.find('-');
  if (dash == std::string_view::npos) return std::nullopt;
  const std::string_view first = item.substr(0, dash);
  const std::string_view last = item.substr(dash + 1);
  range_spec r;
  if (first.empty()) {  // -suffix
    const auto n = parse_pos(last);
    if (!n) return std::nullopt;
    r.suffix = true;
    r.first = *n;
    return r;
  }
  const auto f = parse_pos(first);
  if (!f) return std::nullopt;
  r.first = *f;
  if (last.empty()) return r;
  const auto l = parse_pos(last);
  if (!l || *l < *f) return std::nullopt;  // "5-3" is invalid, not empty (RFC 9110 §14.1.1)
  r.last = *l;
  return r;
}

// The one range of a `bytes=` Range header; nullopt when the header is to be ignored: another
// unit, a syntax error, or several ranges (we do not send multipart/byteranges).
std::optional<range_spec> parse_single_range(std::string_view header) {
  constexpr std::string_view unit = "bytes=";
  if (header.size() < unit.size() || !iequals(header.substr(0, unit.size()), unit))
    return std::nullopt;
  std::string_view rest = header.substr(unit.size());
  std::optional<range_spec> found;
  for (;;) {
    const std::size_t comma = rest.find(',');
    const std::string_view item = trim_ows(rest.substr(0, comma));
    if (!item.empty()) {  // empty list elements are allowed (RFC 9110 §5.6.1)
      if (found) return std::nullopt;
      found = parse_spec(item);
      if (!found) return std::nullopt;
    }
    if (comma == std::string_view::npos) break;
    rest.remove_prefix(comma + 1);
  }
  return found;
}

// The opaque part of an entity tag: `W/"x"` and `"x"` both give `"x"`.
std::string_view opaque(std::string_view tag) {
  if (tag.substr(0, 2) == "W/") tag.remove_prefix(2);
  return tag;
}

// If-None-Match's weak comparison against a list of tags (quoted strings may hold commas).
bool none_match(std::string_view list, std::string_view etag) {
  std::size_t i = 0;
  while (i < list.size()) {
    const char c = list[i];
    if (c == ' ' || c == '\t' || c == ',') {
      ++i;
      continue;
    }
    if (c == '*') return true;
    if (list.substr(i, 2) == "W/") i += 2;
    if (i >= list.size() || list[i] != '"') return false;  // not a list of tags: no match
    const std::size_t end = list.find('"', i + 1);
    if (end == std::string_view::npos) return false;
    if (list.substr(i, end - i + 1) == opaque(etag)) return true;
    i = end + 1;
  }
  return false;
}

// If-Range holds: the tag sent is our (strong) tag. A date, a weak tag or another tag → false.
bool if_range_holds(std::string_view value, std::string_view etag) {
  value = trim_ows(value);
  return !value.empty() && value.front() == '"' && etag.substr(0, 2) != "W/" && value == etag;
}

entity_answer whole(entity_answer a, const entity& e) {
  a.res.status = 200;
  a.res.headers.set("content-type", e.content_type);
  a.offset = 0;
  a.length = e.size;
  return a;
}

entity_answer unsatisfiable(entity_answer a, const entity& e) {
  a.res.status = 416;
  a.res.head_only = false;
  a.res.headers.set("content-range", "bytes */" + std::to_string(e.size));
  return a;
}

entity_answer partial(entity_answer a, const entity& e, std::uint64_t first, std::uint64_t last) {
  a.res.status = 206;
  a.res.headers.set("content-type", e.content_type);
  a.res.headers.set("content-range", "bytes " + std::to_string(first) + "-" + std::to_string(last) +
                                         "/" + std::to_string(e.size));
  a.offset = first;
  a.length = last - first + 1;
  return a;
}

}  // namespace

entity_answer answer_entity(const request& req, const entity& e) {
  entity_answer a;
  a.res.headers.set("etag", e.etag);
  a.res.headers.set("accept-ranges", "bytes");
  const bool head = req.method == "HEAD";
  const std::string_view inm = req.headers.get("if-none-match");
  if (!inm.empty() && none_match(inm, e.etag)) {
    a.res.status = 304;
    return a;
  }
  a.res.head_only = head;
  const std::string_view range = req.headers.get("range");
  if (head || range.empty() || e.size == 0) return whole(std::move(a), e);
  const std::string_view if_range = req.headers.get("if-range");
  if (req.headers.has("if-range") && !if_range_holds(if_range, e.etag))
    return whole(std::move(a), e);
  const auto spec = parse_single_range(range);
  if (!spec) return whole(std::move(a), e);
  if (spec->suffix) {
    if (spec->first == 0) return unsatisfiable(std::move(a), e);
    const std::uint64_t n = std::min(spec->first, e.size);
    return partial(std::move(a), e, e.size - n, e.size - 1);
  }
  if (spec->first >= e.size) return unsatisfiable(std::move(a), e);
  return partial(std::move(a), e, spec->first, std::min(spec->last, e.size - 1));
}

std::string content_disposition(bool inline_, std::string_view utf8_name) {
  if (utf8_name.empty()) utf8_name = "file";
  std::string out = inline_ ? "inline" : "attachment";
  out += "; filename=\"";
  for (const char ch : utf8_name) {
    const auto c = static_cast<unsigned char>(ch);
    if (c >= 0x80U && c < 0xC0U) continue;  // the rest of a code point already replaced
    const bool plain = c >= 0x20U && c < 0x7FU && c != '"' && c != '\\' && c != '%';
    out.push_back(plain ? ch : '_');
  }
  out += "\"; filename*=UTF-8''";
  constexpr std::string_view hex = "0123456789ABCDEF";
  constexpr std::string_view attr_extra = "!#$&+-.^_`|~";  // RFC 8187 attr-char
  for (const char ch : utf8_name) {
    const auto c = static_cast<unsigned char>(ch);
    const bool alnum = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9');
    if (alnum || (c < 0x80U && attr_extra.find(ch) != std::string_view::npos)) {
      out.push_back(ch);
    } else {
      out.push_back('%');
      out.push_back(hex[c >> 4U]);
      out.push_back(hex[c & 0x0FU]);
    }
  }
  return out;
}

}  // namespace hw::http

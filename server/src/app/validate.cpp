#include "app/validate.hpp"

#include "core/utf8.hpp"

#include <array>
#include <optional>
#include <string>
#include <unordered_set>

namespace hw::app {

namespace {

using core::decode_utf8;

constexpr bool is_alpha(char c) {
  return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z');
}
constexpr bool is_digit(char c) {
  return c >= '0' && c <= '9';
}
constexpr bool is_alnum(char c) {
  return is_alpha(c) || is_digit(c);
}
constexpr char to_lower(char c) {
  return (c >= 'A' && c <= 'Z') ? static_cast<char>(c - 'A' + 'a') : c;
}
constexpr char to_upper(char c) {
  return (c >= 'a' && c <= 'z') ? static_cast<char>(c - 'a' + 'A') : c;
}

// C0, DEL and C1; `allow_nl_tab` keeps the two layout characters chat text may carry.
bool is_control(char32_t cp, bool allow_nl_tab) {
  if (allow_nl_tab && (cp == U'\n' || cp == U'\t')) return false;
  return cp < 0x20U || (cp >= 0x7FU && cp <= 0x9FU);
}

// One pass over untrusted text: strictness, controls, and where the trimmed text lies.
struct scanned {
  enum class problem { none, bad_utf8, control } error = problem::none;
  std::size_t begin = 0;   // byte offset of the first non-space code point
  std::size_t end = 0;     // byte offset just after the last non-space code point
  std::size_t length = 0;  // code points in [begin, end)
};

scanned scan(std::string_view s, bool allow_nl_tab) {
  scanned r;
  std::size_t total = 0;
  std::size_t leading = 0;
  std::size_t trailing = 0;  // current run of spaces at the end
  bool seen_text = false;
  for (std::size_t i = 0; i < s.size();) {
    char32_t cp = 0;
    const std::size_t n = decode_utf8(s, i, cp);
    if (n == 0) {
      r.error = scanned::problem::bad_utf8;
      return r;
    }
    if (is_control(cp, allow_nl_tab)) {
      r.error = scanned::problem::control;
      return r;
    }
    ++total;
    if (is_unicode_space(cp)) {
      if (seen_text)
        ++trailing;
      else
        ++leading;
    } else {
      if (!seen_text) r.begin = i;
      seen_text = true;
      trailing = 0;
      r.end = i + n;
    }
    i += n;
  }
  r.length = seen_text ? total - leading - trailing : 0;
  return r;
}

constexpr std::array<std::string_view, 48> adjectives = {
    "Amber",   "Bold",   "Brave",  "Bright", "Calm",   "Clever", "Cosmic", "Crisp",
    "Curious", "Daring", "Eager",  "Fancy",  "Fierce", "Gentle", "Glad",   "Golden",
    "Happy",   "Honest", "Humble", "Jolly",  "Keen",   "Kind",   "Lively", "Lucky",
    "Merry",   "Mighty", "Misty",  "Noble",  "Polite", "Proud",  "Quick",  "Quiet",
    "Rapid",   "Rusty",  "Shiny",  "Silent", "Silver", "Sleepy", "Sly",    "Snowy",
    "Sunny",   "Swift",  "Tidy",   "Vivid",  "Wild",   "Wise",   "Witty",  "Zesty"};

constexpr std::array<std::string_view, 48> nouns = {
    "Badger", "Bear",   "Beaver",  "Bison",   "Comet",   "Cougar", "Crane",  "Dolphin",
    "Eagle",  "Falcon", "Ferret",  "Finch",   "Fox",     "Gecko",  "Heron",  "Hawk",
    "Koala",  "Lemur",  "Lion",    "Lynx",    "Meteor",  "Moose",  "Otter",  "Owl",
    "Panda",  "Parrot", "Pelican", "Penguin", "Puffin",  "Quokka", "Rabbit", "Raven",
    "Robin",  "Salmon", "Seal",    "Shark",   "Sparrow", "Squid",  "Swan",   "Tiger",
    "Toucan", "Turtle", "Walrus",  "Whale",   "Wolf",    "Wombat", "Yak",    "Zebra"};

// RFC 5646 subtag classes (all subtags are 1–8 alphanumerics, checked before these).
bool every(std::string_view s, bool (*pred)(char)) {
  for (const char c : s) {
    if (!pred(c)) return false;
  }
  return true;
}
bool alpha_n(std::string_view s, std::size_t lo, std::size_t hi) {
  return s.size() >= lo && s.size() <= hi && every(s, [](char c) { return is_alpha(c); });
}
bool is_region(std::string_view s) {
  return alpha_n(s, 2, 2) || (s.size() == 3 && every(s, [](char c) { return is_digit(c); }));
}
bool is_variant(std::string_view s) {
  return (s.size() >= 5 && s.size() <= 8) || (s.size() == 4 && is_digit(s[0]));
}
std::string lower(std::string_view s) {
  std::string out(s);
  for (char& c : out)
    c = to_lower(c);
  return out;
}

}  // namespace

bool is_unicode_space(char32_t cp) {
  return (cp >= 0x09U && cp <= 0x0DU) || cp == 0x20U || cp == 0x85U || cp == 0xA0U ||
         cp == 0x1680U || (cp >= 0x2000U && cp <= 0x200AU) || cp == 0x2028U || cp == 0x2029U ||
         cp == 0x202FU || cp == 0x205FU || cp == 0x3000U;
}

std::optional<std::size_t> utf8_length(std::string_view s) {
  std::size_t count = 0;
  for (std::size_t i = 0; i < s.size(); ++count) {
    char32_t cp = 0;
    const std::size_t n = decode_utf8(s, i, cp);
    if (n == 0) return std::nullopt;
    i += n;
  }
  return count;
}

validated<std::string> validate_username(std::string_view name, std::string_view field) {
  using R = validated<std::string>;
  if (name.size() < username_min || name.size() > username_max)
    return R::failure(field, "username must be " + std::to_string(username_min) + " to " +
                                 std::to_string(username_max) + " characters");
  for (const char c : name) {
    if (!is_alnum(c) && c != '_')
      return R::failure(field, "username may contain only letters A-Z, digits and '_'");
  }
  return R::success(std::string(name));
}

std::string generate_username(random& r) {
  std::string out(adjectives[uniform_below(r, adjectives.size())]);
  out += nouns[uniform_below(r, nouns.size())];
  std::uint64_t digits = uniform_below(r, 10000);
  char buf[4];
  for (int i = 3; i >= 0; --i) {
    buf[i] = static_cast<char>('0' + digits % 10);
    digits /= 10;
  }
  out.append(buf, 4);
  return out;
}

validated<std::string> resolve_username(std::optional<std::string_view> name, random& r,
                                        std::string_view field) {
  if (!name || name->empty()) return validated<std::string>::success(generate_username(r));
  return validate_username(*name, field);
}

namespace {
// The subtags of a tag; each must be 1–8 ASCII alphanumerics (this rejects '_', spaces, "--").
std::optional<std::vector<std::string_view>> split_subtags(std::string_view tag) {
  std::vector<std::string_view> parts;
  for (std::size_t pos = 0;;) {
    const std::size_t dash = tag.find('-', pos);
    const std::string_view part =
        tag.substr(pos, dash == std::string_view::npos ? std::string_view::npos : dash - pos);
    if (part.empty() || part.size() > 8 || !every(part, [](char c) { return is_alnum(c); }))
      return std::nullopt;
    parts.push_back(part);
    if (dash == std::string_view::npos) return parts;
    pos = dash + 1;
  }
}
}  // namespace

validated<std::string> validate_language(std::string_view tag, std::string_view field) {
  using R = validated<std::string>;
  if (tag.empty()) return R::failure(field, "language must be a BCP-47 tag such as \"en-US\"");
  if (tag.size() > language_tag_max)
    return R::failure(
        field, "language tag must be at most " + std::to_string(language_tag_max) + " characters");
  const auto bad = [&] {
    return R::failure(field, "language must be a BCP-47 tag such as \"en-US\"");
  };
  const auto split = split_subtags(tag);
  if (!split) return bad();
  const std::vector<std::string_view>& parts = *split;
  std::size_t i = 0;
  std::string out;
  if (!alpha_n(parts[0], 2, 3)) return bad();
  out = lower(parts[i++]);
  for (int ext = 0; ext < 3 && i < parts.size() && alpha_n(parts[i], 3, 3); ++ext)
    out += "-" + lower(parts[i++]);
  if (i < parts.size() && alpha_n(parts[i], 4, 4)) {  // script: Title case
    std::string s = lower(parts[i++]);
    s[0] = to_upper(s[0]);
    out += "-" + s;
  }
  if (i < parts.size() && is_region(parts[i])) {  // region: UPPER case
    std::string s(parts[i++]);
    for (char& c : s)
      c = to_upper(c);
    out += "-" + s;
  }
  std::unordered_set<std::string> seen;  // variants, then singletons: repeats are invalid
  while (i < parts.size() && is_variant(parts[i])) {
    std::string v = lower(parts[i++]);
    if (!seen.insert(v).second) return bad();
    out += "-" + v;
  }
  seen.clear();
  while (i < parts.size() && parts[i].size() == 1 && to_lower(parts[i][0]) != 'x') {
    std::string single = lower(parts[i++]);
    if (!seen.insert(single).second) return bad();
    out += "-" + single;
    std::size_t n = 0;
    for (; i < parts.size() && parts[i].size() >= 2; ++i, ++n)
      out += "-" + lower(parts[i]);
    if (n == 0) return bad();  // a singleton needs at least one subtag
  }
  if (i < parts.size() && parts[i].size() == 1 && to_lower(parts[i][0]) == 'x') {
    out += "-x";
    std::size_t n = 0;
    for (++i; i < parts.size(); ++i, ++n)
      out += "-" + lower(parts[i]);
    if (n == 0) return bad();
  }
  if (i != parts.size()) return bad();
  return R::success(std::move(out));
}

std::string_view primary_language(std::string_view canonical_tag) {
  return canonical_tag.substr(0, canonical_tag.find('-'));
}

validated<std::vector<std::string>> validate_interests(const std::vector<std::string>& tags,
                                                       std::size_t max_count,
                                                       std::string_view field) {
  using R = validated<std::vector<std::string>>;
  if (tags.size() > max_count)
    return R::failure(field, "too many interests (at most " + std::to_string(max_count) + ")");
  std::vector<std::string> out;
  std::unordered_set<std::string> seen;
  for (std::size_t k = 0; k < tags.size(); ++k) {
    const scanned s = scan(tags[k], false);
    const auto where = [k] { return "interests[" + std::to_string(k) + "] "; };
    if (s.error == scanned::problem::bad_utf8)
      return R::failure(field, where() + "is not valid UTF-8");
    if (s.error == scanned::problem::control)
      return R::failure(field, where() + "contains a control character");
    if (s.length == 0) return R::failure(field, where() + "is empty");
    if (s.length > interest_max_chars)
      return R::failure(
          field, where() + "is longer than " + std::to_string(interest_max_chars) + " characters");
    std::string tag = tags[k].substr(s.begin, s.end - s.begin);
    for (char& c : tag)
      c = to_lower(c);
    if (seen.insert(tag).second) out.push_back(std::move(tag));
  }
  return R::success(std::move(out));
}

validated<std::string> validate_chat_text(std::string_view text, std::size_t max_chars,
                                          std::string_view field) {
  using R = validated<std::string>;
  const scanned s = scan(text, true);
  if (s.error == scanned::problem::bad_utf8) return R::failure(field, "text is not valid UTF-8");
  if (s.error == scanned::problem::control)
    return R::failure(field, "text contains a control character other than newline or tab");
  if (s.length == 0) return R::failure(field, "text is empty");
  if (s.length > max_chars)
    return R::failure(field, "text is longer than " + std::to_string(max_chars) + " characters");
  return R::success(std::string(text.substr(s.begin, s.end - s.begin)));
}

validated<bool> validate_report_note(std::string_view note, std::size_t max_chars,
                                     std::string_view field) {
  using R = validated<bool>;
  const scanned s = scan(note, true);
  if (s.error == scanned::problem::bad_utf8) return R::failure(field, "note is not valid UTF-8");
  if (s.error == scanned::problem::control)
    return R::failure(field, "note contains a control character other than newline or tab");
  if (s.length > max_chars)
    return R::failure(field, "note is longer than " + std::to_string(max_chars) + " characters");
  return R::success(true);
}

validated<std::string> validate_message_id(std::string_view id, std::string_view field) {
  using R = validated<std::string>;
  const auto bad = [&] { return R::failure(field, "id must be a UUID (8-4-4-4-12 hex digits)"); };
  if (id.size() != 36) return bad();
  std::string out(id);
  for (std::size_t i = 0; i < out.size(); ++i) {
    const char c = to_lower(out[i]);
    const bool dash_pos = i == 8 || i == 13 || i == 18 || i == 23;
    if (dash_pos != (c == '-')) return bad();
    if (!dash_pos && !is_digit(c) && (c < 'a' || c > 'f')) return bad();
    out[i] = c;
  }
  return R::success(std::move(out));
}

}  // namespace hw::app

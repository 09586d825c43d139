#include "http/inline_scripts.hpp"

#include <array>

#include "core/sha256.hpp"

namespace hw::http {

namespace {

constexpr auto npos = std::string_view::npos;

constexpr char lower(char c) {
  return (c >= 'A' && c <= 'Z') ? static_cast<char>(c - 'A' + 'a') : c;
}
constexpr bool is_alpha(char c) {
  return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z');
}
constexpr bool is_space(char c) {
  return c == ' ' || c == '\t' || c == '\n' || c == '\f' || c == '\r';
}

bool iequals_at(std::string_view s, std::size_t at, std::string_view lower_needle) {
  if (s.size() - at < lower_needle.size()) return false;
  for (std::size_t k = 0; k < lower_needle.size(); ++k) {
    if (lower(s[at + k]) != lower_needle[k]) return false;
  }
  return true;
}

// Where `</name` (any case) starts that is followed by white space, '/', '>' or the end: what
// ends a raw text element's content. npos when there is none.
std::size_t find_end_tag(std::string_view html, std::string_view name, std::size_t from) {
  for (std::size_t i = html.find("</", from); i != npos; i = html.find("</", i + 2)) {
    if (!iequals_at(html, i + 2, name)) continue;
    const std::size_t after = i + 2 + name.size();
    if (after == html.size() || is_space(html[after]) || html[after] == '/' || html[after] == '>') {
      return i;
    }
  }
  return npos;
}

struct start_tag {
  std::string name;  // lower case
  bool has_src = false;
  std::size_t end = npos;  // just after its '>'; npos when the tag never closes
};

// Skips an attribute value after '=' (quoted, where '>' is text, or unquoted); npos if a quote
// never closes.
std::size_t skip_value(std::string_view html, std::size_t i) {
  while (i < html.size() && is_space(html[i]))
    ++i;
  if (i < html.size() && (html[i] == '"' || html[i] == '\'')) {
    const std::size_t close = html.find(html[i], i + 1);
    return close == npos ? npos : close + 1;
  }
  while (i < html.size() && !is_space(html[i]) && html[i] != '>')
    ++i;
  return i;
}

// The start tag whose '<' is at `lt` (followed by a letter): its name, whether it has a src
// attribute, and where it ends.
start_tag parse_start_tag(std::string_view html, std::size_t lt) {
  start_tag t;
  std::size_t i = lt + 1;
  while (i < html.size() && !is_space(html[i]) && html[i] != '/' && html[i] != '>')
    t.name += lower(html[i++]);
  while (i < html.size()) {
    if (is_space(html[i]) || html[i] == '/') {
      ++i;
      continue;
    }
    if (html[i] == '>') {
      t.end = i + 1;
      return t;
    }
    const std::size_t name_start = i++;  // a name may start with '=' (a parse error, kept)
    while (i < html.size() && !is_space(html[i]) && html[i] != '/' && html[i] != '>' &&
           html[i] != '=')
      ++i;
    if (i - name_start == 3 && iequals_at(html, name_start, "src")) t.has_src = true;
    std::size_t j = i;
    while (j < html.size() && is_space(html[j]))
      ++j;
    if (j < html.size() && html[j] == '=') {
      i = skip_value(html, j + 1);
      if (i == npos) return t;
    }
  }
  return t;
}

bool raw_text_element(std::string_view name) {
  static constexpr std::array<std::string_view, 8> names = {
      "style", "textarea", "title", "noscript", "xmp", "iframe", "noembed", "noframes"};
  for (const auto n : names) {
    if (n == name) return true;
  }
  return false;
}

// The HTML parser's input stream preprocessing, as far as script text is concerned.
std::string normalized(std::string_view text) {
  std::string out;
  out.reserve(text.size());
  for (std::size_t i = 0; i < text.size(); ++i) {
    const char c = text[i];
    if (c == '\r') {
      out += '\n';
      if (i + 1 < text.size() && text[i + 1] == '\n') ++i;
    } else if (c == '\0') {
      out += "\xEF\xBF\xBD";
    } else {
      out += c;
    }
  }
  return out;
}

// Skips markup that is not a start tag at `lt`: a comment, a doctype/processing instruction or
// an end tag. Returns where scanning resumes; npos when it never ends.
std::size_t skip_other(std::string_view html, std::size_t lt) {
  if (html.compare(lt, 4, "<!--") == 0) {
    if (html.compare(lt, 5, "<!-->") == 0) return lt + 5;
    if (html.compare(lt, 6, "<!--->") == 0) return lt + 6;
    const std::size_t end = html.find("-->", lt + 4);
    return end == npos ? npos : end + 3;
  }
  const std::size_t end = html.find('>', lt + 1);
  return end == npos ? npos : end + 1;
}

}  // namespace

inline_scripts find_inline_scripts(std::string_view html, std::size_t max) {
  inline_scripts out;
  std::size_t i = 0;
  while ((i = html.find('<', i)) != npos && i + 1 < html.size()) {
    const char next = html[i + 1];
    if (next == '!' || next == '?' || next == '/') {
      i = skip_other(html, i);
      if (i == npos) break;
      continue;
    }
    if (!is_alpha(next)) {  // "a < b" is text
      ++i;
      continue;
    }
    const start_tag t = parse_start_tag(html, i);
    if (t.end == npos) break;
    i = t.end;
    if (t.name == "plaintext") break;  // the rest of the page is text
    if (t.name != "script" && !raw_text_element(t.name)) continue;
    const std::size_t close = find_end_tag(html, t.name, i);
    if (close == npos) break;  // never closed: not run, and the rest is its text
    if (t.name == "script" && !t.has_src) {
      if (out.texts.size() == max) {
        out.truncated = true;
        break;
      }
      out.texts.push_back(normalized(html.substr(i, close - i)));
    }
    i = close;
  }
  return out;
}

std::string script_hash_source(std::string_view text) {
  return "'sha256-" + core::base64_encode(core::sha256(text)) + "'";
}

std::vector<std::string> script_hash_sources(std::string_view html, std::size_t max) {
  std::vector<std::string> out;
  for (const auto& text : find_inline_scripts(html, max).texts)
    out.push_back(script_hash_source(text));
  return out;
}

}  // namespace hw::http

#include "http/path.hpp"

#include <gtest/gtest.h>

#include <string>

namespace hw::http {
namespace {

using namespace std::string_literals;

path_error error_of(std::string_view raw) {
  return sanitize_path(raw).error;
}

TEST(PercentDecode, DecodesEscapesOnce) {
  EXPECT_EQ(percent_decode("a%20b"), "a b");
  EXPECT_EQ(percent_decode("%2e%2E"), "..");
  EXPECT_EQ(percent_decode("%252e"), "%2e");  // once, not twice
  EXPECT_EQ(percent_decode(""), "");
  EXPECT_EQ(percent_decode("plain+text"), "plain+text");  // '+' is not a space in paths
  EXPECT_EQ(percent_decode("%00"), "\0"s);
  EXPECT_EQ(percent_decode("%C3%A9"), "\xC3\xA9");
}

TEST(PercentDecode, RefusesMalformedEscapes) {
  EXPECT_FALSE(percent_decode("%G1"));
  EXPECT_FALSE(percent_decode("%1G"));
  EXPECT_FALSE(percent_decode("%4"));
  EXPECT_FALSE(percent_decode("%"));
  EXPECT_FALSE(percent_decode("abc%"));
  EXPECT_FALSE(percent_decode("%%41"));
}

TEST(SanitizePath, AcceptsOrdinaryPaths) {
  auto p = sanitize_path("/");
  EXPECT_EQ(p.error, path_error::none);
  EXPECT_EQ(p.relative, "");
  EXPECT_TRUE(p.trailing_slash);

  p = sanitize_path("/index.html");
  EXPECT_EQ(p.error, path_error::none);
  EXPECT_EQ(p.relative, "index.html");
  EXPECT_FALSE(p.trailing_slash);

  p = sanitize_path("/_next/static/chunks/app-3f2a.js");
  EXPECT_EQ(p.error, path_error::none);
  EXPECT_EQ(p.relative, "_next/static/chunks/app-3f2a.js");
}

TEST(SanitizePath, DecodesNames) {
  auto p = sanitize_path("/my%20file.txt");
  EXPECT_EQ(p.error, path_error::none);
  EXPECT_EQ(p.relative, "my file.txt");
  p = sanitize_path("/caf%C3%A9/%7Euser");
  EXPECT_EQ(p.error, path_error::none);
  EXPECT_EQ(p.relative, "caf\xC3\xA9/~user");
}

TEST(SanitizePath, CollapsesEmptySegmentsAndKeepsTrailingSlash) {
  auto p = sanitize_path("//a//b/");
  EXPECT_EQ(p.error, path_error::none);
  EXPECT_EQ(p.relative, "a/b");
  EXPECT_TRUE(p.trailing_slash);
  p = sanitize_path("///");
  EXPECT_EQ(p.error, path_error::none);
  EXPECT_EQ(p.relative, "");
  p = sanitize_path("/docs/");
  EXPECT_EQ(p.relative, "docs");
  EXPECT_TRUE(p.trailing_slash);
}

TEST(SanitizePath, NamesWithDotsAreNotTraversal) {
  for (const char* raw : {"/...", "/a..b", "/..a", "/a.", "/.well-known/x", "/.hidden"}) {
    EXPECT_EQ(error_of(raw), path_error::none) << raw;
  }
}

TEST(SanitizePath, RefusesPlainTraversal) {
  EXPECT_EQ(error_of("/../etc/passwd"), path_error::traversal);
  EXPECT_EQ(error_of("/a/../../x"), path_error::traversal);
  EXPECT_EQ(error_of("/a/.."), path_error::traversal);
  EXPECT_EQ(error_of("/a/../b"), path_error::traversal);  // even when it would stay inside
  EXPECT_EQ(error_of("/./a"), path_error::traversal);
  EXPECT_EQ(error_of("/.hidden/."), path_error::traversal);
  EXPECT_EQ(error_of("/.."), path_error::traversal);
  EXPECT_EQ(error_of("/../"), path_error::traversal);
}

TEST(SanitizePath, RefusesEncodedTraversal) {
  EXPECT_EQ(error_of("/%2e%2e/x"), path_error::traversal);
  EXPECT_EQ(error_of("/%2E%2E/x"), path_error::traversal);
  EXPECT_EQ(error_of("/.%2e/x"), path_error::traversal);
  EXPECT_EQ(error_of("/%2e/x"), path_error::traversal);
  EXPECT_EQ(error_of("/a/%2e%2e"), path_error::traversal);
  // "..%2fetc" would be ".." + "/" after decoding: the encoded separator is refused first.
  EXPECT_EQ(error_of("/%2E%2e%2fetc"), path_error::encoded_separator);
}

TEST(SanitizePath, RefusesDoubleEncoding) {
  EXPECT_EQ(error_of("/%252e%252e/x"), path_error::encoded_separator);
  EXPECT_EQ(error_of("/a%25b"), path_error::encoded_separator);
  EXPECT_EQ(error_of("/%252f"), path_error::encoded_separator);
}

TEST(SanitizePath, RefusesEncodedSeparators) {
  EXPECT_EQ(error_of("/a%2fb"), path_error::encoded_separator);
  EXPECT_EQ(error_of("/a%2Fb"), path_error::encoded_separator);
  EXPECT_EQ(error_of("/a%5cb"), path_error::encoded_separator);
  EXPECT_EQ(error_of("/a%5Cb"), path_error::encoded_separator);
  EXPECT_EQ(error_of("/..%5c..%5cwindows"), path_error::encoded_separator);
}

TEST(SanitizePath, RefusesForbiddenCharacters) {
  EXPECT_EQ(error_of("/a\\b"), path_error::forbidden_char);
  EXPECT_EQ(error_of("/..\\..\\etc"), path_error::forbidden_char);
  EXPECT_EQ(error_of("/%00"), path_error::forbidden_char);
  EXPECT_EQ(error_of("/index.html%00.png"), path_error::forbidden_char);
  EXPECT_EQ(error_of("/a\0b"s), path_error::forbidden_char);
  EXPECT_EQ(error_of("/a%0d%0aSet-Cookie:x"), path_error::forbidden_char);
  EXPECT_EQ(error_of("/a%09b"), path_error::forbidden_char);
  EXPECT_EQ(error_of("/a%7fb"), path_error::forbidden_char);
  EXPECT_EQ(error_of("/a\x1b"), path_error::forbidden_char);
}

TEST(SanitizePath, RefusesMalformedInput) {
  EXPECT_EQ(error_of(""), path_error::malformed);
  EXPECT_EQ(error_of("index.html"), path_error::malformed);
  EXPECT_EQ(error_of("*"), path_error::malformed);
  EXPECT_EQ(error_of("http://example.com/x"), path_error::malformed);
  EXPECT_EQ(error_of("/%G1"), path_error::malformed);
  EXPECT_EQ(error_of("/%4"), path_error::malformed);
  EXPECT_EQ(error_of("/a%"), path_error::malformed);
  EXPECT_EQ(error_of("/%4/"), path_error::malformed);
}

TEST(SanitizePath, RefusalLeavesNoPartialPath) {
  const auto p = sanitize_path("/ok/../x");
  EXPECT_EQ(p.error, path_error::traversal);
  EXPECT_TRUE(p.relative.empty());
}

// Every byte value, raw and encoded, in a middle segment: the result is either refused or a
// relative path without control characters, backslashes or dot segments.
TEST(SanitizePath, NoByteProducesAnUnsafePath) {
  static constexpr char hex[] = "0123456789ABCDEF";
  for (int b = 0; b < 256; ++b) {
    const char c = static_cast<char>(b);
    const std::string encoded = std::string("%") + hex[b >> 4] + hex[b & 15];
    const auto in_middle = [](std::string_view mid) {
      std::string s = "/a/";
      s += mid;
      s += "/b";
      return s;
    };
    for (const std::string& raw : {in_middle(std::string(1, c)), in_middle(encoded),
                                   in_middle("." + encoded), in_middle(encoded + encoded)}) {
      const auto p = sanitize_path(raw);
      if (p.error != path_error::none) continue;
      EXPECT_EQ(p.relative.find('\\'), std::string::npos) << raw;
      EXPECT_EQ(p.relative.find("/./"), std::string::npos) << raw;
      EXPECT_EQ(p.relative.find("/../"), std::string::npos) << raw;
      EXPECT_EQ(p.relative.find("//"), std::string::npos) << raw;
      for (const char ch : p.relative) {
        EXPECT_FALSE(static_cast<unsigned char>(ch) < 0x20 || ch == 0x7f) << raw;
      }
    }
  }
}

}  // namespace
}  // namespace hw::http

namespace hw::http {
namespace {

TEST(HttpQueryParam, FindsDecodesAndIgnoresLookalikes) {
  EXPECT_EQ(query_param("EIO=4&transport=polling&t=N", "transport"), "polling");
  EXPECT_EQ(query_param("k=a%20b", "k"), "a b");
  EXPECT_EQ(query_param("kk=1&k=2", "k"), "2") << "a longer key is another key";
  EXPECT_EQ(query_param("k", "k"), "") << "valueless";
  EXPECT_EQ(query_param("k=%G1", "k"), "") << "malformed escape";
  EXPECT_EQ(query_param("", "k"), "");
  EXPECT_EQ(query_param("a=1", "k"), "");
}

}  // namespace
}  // namespace hw::http

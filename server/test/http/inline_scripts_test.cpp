#include "http/inline_scripts.hpp"

#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "core/sha256.hpp"

namespace hw::http {
namespace {

using strings = std::vector<std::string>;

strings scripts(std::string_view html, std::size_t max = max_inline_scripts) {
  return find_inline_scripts(html, max).texts;
}

TEST(HttpInlineScripts, NextExportShape) {
  const std::string html =
      "<!DOCTYPE html><html lang=\"en\"><head><meta charset=\"utf-8\"/>"
      "<link rel=\"preload\" as=\"script\" href=\"/_next/static/chunks/webpack.js\"/>"
      "<script src=\"/_next/static/chunks/main.js\" async=\"\"></script></head><body>"
      "<div hidden=\"\"><!--$--><!--/$--></div>"
      "<script>(self.__next_f=self.__next_f||[]).push([0])</script>"
      "<script>self.__next_f.push([1,\"1:\\\"$Sreact.fragment\\\"\\n<b>\"])</script>"
      "</body></html>";
  EXPECT_EQ(scripts(html),
            (strings{"(self.__next_f=self.__next_f||[]).push([0])",
                     "self.__next_f.push([1,\"1:\\\"$Sreact.fragment\\\"\\n<b>\"])"}));
}

TEST(HttpInlineScripts, ScriptsWithSrcAreSkippedWhateverTheAttributeForm) {
  EXPECT_EQ(scripts("<script src=a.js></script><script SRC='b.js'>x</script>"
                    "<script defer src>y</script><script data-src=\"c\">z</script>"
                    "<script srcset=d>w</script>"),
            (strings{"z", "w"}));
}

TEST(HttpInlineScripts, TagAndEndTagInAnyCase) {
  EXPECT_EQ(scripts("<SCRIPT>a()</SCRIPT><ScRiPt type=\"module\">b()</sCrIpT >"
                    "<script>c()</script\n>"),
            (strings{"a()", "b()", "c()"}));
}

TEST(HttpInlineScripts, QuotedAttributeValuesMayHoldGreaterThan) {
  EXPECT_EQ(scripts("<script data-x=\"a>b\" data-y='c > d' nonce=e>run()</script>"),
            strings{"run()"});
  // A src hidden in a quoted value is no src attribute.
  EXPECT_EQ(scripts("<script data-x=\"src=x.js\">run()</script>"), strings{"run()"});
}

TEST(HttpInlineScripts, ScriptEndsAtTheFirstEndTagOnly) {
  EXPECT_EQ(scripts("<script>var s = '</scripts>'; var t = '</scriptx';</script>"),
            strings{"var s = '</scripts>'; var t = '</scriptx';"});
  EXPECT_EQ(scripts("<script>a('<b>')</script>rest<script>c</script>"), (strings{"a('<b>')", "c"}));
  EXPECT_EQ(scripts("<script>var s = \"</script>\";</script>"), strings{"var s = \""});
}

TEST(HttpInlineScripts, EmptyScriptIsHashedAsTheEmptyString) {
  EXPECT_EQ(scripts("<script></script>"), strings{""});
  EXPECT_EQ(script_hash_sources("<script></script>"),
            strings{"'sha256-47DEQpj8HBSa+/TImW+5JCeuQeRkm5NMpJWZG3hSuFU='"});
}

TEST(HttpInlineScripts, UnterminatedScriptIsNotCollected) {
  EXPECT_EQ(scripts("<script>a()</script><script>never closed"), strings{"a()"});
  EXPECT_EQ(scripts("<script"), strings{});
  EXPECT_EQ(scripts("<script data-x=\"unclosed quote>x</script>"), strings{});
  EXPECT_EQ(scripts("<script>x</script"), strings{"x"});  // "</script" at the end ends it
}

TEST(HttpInlineScripts, CommentsAndRawTextHoldNoScripts) {
  EXPECT_EQ(scripts("<!-- <script>no()</script> --><script>yes()</script>"), strings{"yes()"});
  EXPECT_EQ(scripts("<!--><script>a()</script><!---><script>b()</script>"),
            (strings{"a()", "b()"}));
  EXPECT_EQ(scripts("<style>.x{content:'<script>no()</script>'}</style>"
                    "<textarea><script>no()</script></textarea><title><script>t</title>"
                    "<noscript><script>n()</script></noscript><script>yes()</script>"),
            strings{"yes()"});
  EXPECT_EQ(scripts("<div title=\"<script>no()</script>\">1 < 2</div><script>yes()</script>"),
            strings{"yes()"});
  EXPECT_EQ(scripts("<plaintext><script>no()</script>"), strings{});
}

TEST(HttpInlineScripts, NewlinesAndNulAreNormalisedAsTheParserDoes) {
  EXPECT_EQ(scripts("<script>a\r\nb\rc\n</script>"), strings{"a\nb\nc\n"});
  EXPECT_EQ(scripts(std::string("<script>a\0b</script>", 20)), strings{"a\xEF\xBF\xBD"
                                                                       "b"});
}

TEST(HttpInlineScripts, ManyScriptsAreBounded) {
  std::string html;
  for (int i = 0; i < 100; ++i)
    html += "<script>s(" + std::to_string(i) + ")</script>";
  const auto all = find_inline_scripts(html, 100);
  EXPECT_EQ(all.texts.size(), 100U);
  EXPECT_FALSE(all.truncated);
  const auto some = find_inline_scripts(html);
  ASSERT_EQ(some.texts.size(), max_inline_scripts);
  EXPECT_TRUE(some.truncated);
  EXPECT_EQ(some.texts.front(), "s(0)");
  EXPECT_EQ(some.texts.back(), "s(63)");
  EXPECT_EQ(script_hash_sources(html).size(), max_inline_scripts);
}

TEST(HttpInlineScripts, HashSourcesAreSha256Base64InQuotes) {
  EXPECT_EQ(script_hash_sources("<p>x</p><script>abc</script>"),
            strings{"'sha256-ungWv48Bz+pBQUDeXa4iI7ADYaOWF3qctBD/YfIAFa0='"});
  EXPECT_EQ(script_hash_source("abc"), "'sha256-" + core::base64_encode(core::sha256("abc")) + "'");
  EXPECT_TRUE(script_hash_sources("<p>no scripts</p>").empty());
}

TEST(HttpInlineScripts, GarbageNeverThrowsOrOverreads) {
  for (const std::string_view s :
       {"<", "<<", "<s", "<script ", "<script a", "<script a=", "<script a='", "</", "<!", "<!-",
        "<!--", "<!-- -", "<?", "<script>", "<script></", "<script></scr", "a<b<c<d"}) {
    EXPECT_TRUE(scripts(s).empty()) << s;
  }
}

}  // namespace
}  // namespace hw::http

#include "core/json_escape.hpp"

#include <gtest/gtest.h>

namespace hw::core {
namespace {

std::string esc(std::string_view s) {
  std::string out;
  json_escape_append(out, s);
  return out;
}

TEST(JsonEscape, EscapesQuotesControlsAndKeepsUtf8) {
  EXPECT_EQ(esc("a\"b\\c"), "a\\\"b\\\\c");
  EXPECT_EQ(esc("l1\nl2\t\r"), "l1\\nl2\\t\\r");
  EXPECT_EQ(esc(std::string_view("\x01\x1f\x7f", 3)), "\\u0001\\u001f\\u007f");
  EXPECT_EQ(esc("h\xC3\xA9llo \xF0\x9F\x98\x80"), "h\xC3\xA9llo \xF0\x9F\x98\x80");
}

TEST(JsonEscape, ReplacesInvalidUtf8) {
  EXPECT_EQ(esc("\xFF"), "\xEF\xBF\xBD");
  EXPECT_EQ(esc("\xC0\xAF"), "\xEF\xBF\xBD\xEF\xBF\xBD");                  // overlong '/'
  EXPECT_EQ(esc("\xED\xA0\x80"), "\xEF\xBF\xBD\xEF\xBF\xBD\xEF\xBF\xBD");  // surrogate
  EXPECT_EQ(esc("\xE2\x82"), "\xEF\xBF\xBD\xEF\xBF\xBD");                  // truncated
}

}  // namespace
}  // namespace hw::core

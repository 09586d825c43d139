#include "core/log.hpp"

#include <gtest/gtest.h>

namespace hw::core::log {
namespace {

TEST(Log, JsonLineEscapesAndTypesFields) {
  const auto line = render(
      level::info, "http_request",
      {{"path", "/a\"b"}, {"status", 200U}, {"ms", 1.5}, {"tls", false}, {"delta", -4}}, true);
  EXPECT_EQ(line, R"("level":"info","msg":"http_request","path":"/a\"b","status":200,"ms":1.500,)"
                  R"("tls":false,"delta":-4})");
}

TEST(Log, TextLineQuotesValuesWithSpaces) {
  const auto line = render(level::warn, "x", {{"a", "b c"}, {"n", 1}}, false);
  EXPECT_EQ(line, R"(warn  x a="b c" n=1)");
}

TEST(Log, LevelFiltering) {
  init("warn", "json");
  EXPECT_FALSE(enabled(level::info));
  EXPECT_TRUE(enabled(level::error));
  init("off", "json");
  EXPECT_FALSE(enabled(level::error));
  init("info", "json");
}

}  // namespace
}  // namespace hw::core::log

#include "core/wire_errors.hpp"

#include <gtest/gtest.h>

#include <set>
#include <string>

namespace hw::core {
namespace {

constexpr std::size_t count = wire_error_table.size();

wire_error nth(std::size_t i) {
  return static_cast<wire_error>(i);
}

TEST(WireErrors, EveryErrorHasAUniqueCodeAMessageAndAnErrorStatus) {
  std::set<std::string_view> codes;
  for (std::size_t i = 0; i < count; ++i) {
    const wire_error e = nth(i);
    EXPECT_FALSE(code(e).empty()) << i;
    EXPECT_EQ(code(e).find_first_not_of("abcdefghijklmnopqrstuvwxyz_"), std::string_view::npos)
        << code(e);
    EXPECT_FALSE(message(e).empty()) << code(e);
    EXPECT_GE(http_status(e), 400U) << code(e);
    EXPECT_LT(http_status(e), 600U) << code(e);
    EXPECT_TRUE(codes.insert(code(e)).second) << "duplicate code " << code(e);
  }
  EXPECT_EQ(static_cast<std::size_t>(wire_error::shutting_down) + 1, count);
}

TEST(WireErrors, ParseRoundTrips) {
  for (std::size_t i = 0; i < count; ++i) {
    const auto parsed = parse_wire_error(code(nth(i)));
    ASSERT_TRUE(parsed.has_value()) << code(nth(i));
    EXPECT_EQ(*parsed, nth(i));
  }
  EXPECT_FALSE(parse_wire_error("").has_value());
  EXPECT_FALSE(parse_wire_error("not_in_chat").has_value());  // a domain code
}

TEST(WireErrors, DocumentedStatusesHold) {
  // docs/protocol.md and docs/design.md give these statuses.
  EXPECT_EQ(http_status(wire_error::too_many_sessions), 429U);
  EXPECT_EQ(http_status(wire_error::too_many_connections), 429U);
  EXPECT_EQ(http_status(wire_error::rate_limited), 429U);
  EXPECT_EQ(http_status(wire_error::server_busy), 503U);
  EXPECT_EQ(http_status(wire_error::shutting_down), 503U);
  EXPECT_EQ(http_status(wire_error::header_too_large), 431U);
  EXPECT_EQ(http_status(wire_error::body_too_large), 413U);
  EXPECT_EQ(http_status(wire_error::payload_too_large), 413U);
  EXPECT_EQ(code(wire_error::too_many_sessions), "too_many_sessions");
}

}  // namespace
}  // namespace hw::core

#include "engineio/close_reason.hpp"

#include <gtest/gtest.h>

#include <set>
#include <string>

namespace hw::engineio {
namespace {

TEST(EngineIoCloseReason, TheTableIsInEnumOrderWithUniqueNames) {
  std::set<std::string_view> names;
  for (std::size_t i = 0; i < close_reasons.size(); ++i) {
    EXPECT_EQ(static_cast<std::size_t>(close_reasons[i].reason), i);
    EXPECT_TRUE(names.insert(close_reasons[i].name).second) << close_reasons[i].name;
    // A Prometheus label value and a log field: lower-case snake_case.
    for (const char c : close_reasons[i].name)
      EXPECT_TRUE((c >= 'a' && c <= 'z') || c == '_') << close_reasons[i].name;
  }
}

TEST(EngineIoCloseReason, TextsAreEngineIosWording) {
  EXPECT_EQ(text_of(close_reason::ping_timeout), "ping timeout");
  EXPECT_EQ(text_of(close_reason::transport_close), "transport close");
  EXPECT_EQ(text_of(close_reason::client_close), "transport close");
  EXPECT_EQ(text_of(close_reason::parse_error), "parse error");
  EXPECT_EQ(name_of(close_reason::slow_consumer), "slow_consumer");
}

TEST(EngineIoCloseReason, ATextMapsBackToItsReason) {
  EXPECT_EQ(reason_of_text("parse error"), close_reason::parse_error);
  EXPECT_EQ(reason_of_text("server shutting down"), close_reason::server_shutdown);
  EXPECT_EQ(reason_of_text("transport close"), close_reason::transport_close);
  EXPECT_EQ(reason_of_text("connect timeout"), std::nullopt);
}

}  // namespace
}  // namespace hw::engineio

#include "http/message.hpp"

#include <gtest/gtest.h>

#include <memory>
#include <string>

namespace hw::http {
namespace {

TEST(HeaderList, AddKeepsOrderAndLowercasesNames) {
  header_list h;
  h.add("Content-Type", "text/plain");
  h.add("X-Custom", "1");
  h.add("x-custom", "2");
  ASSERT_EQ(h.fields().size(), 3U);
  EXPECT_EQ(h.fields()[0].first, "content-type");
  EXPECT_EQ(h.fields()[1].first, "x-custom");
  EXPECT_EQ(h.fields()[2].second, "2");
  EXPECT_EQ(h.get("X-CUSTOM"), "1");  // first value
}

TEST(HeaderList, LookupsAreCaseInsensitive) {
  header_list h;
  h.add("ETag", "\"1\"");
  EXPECT_TRUE(h.has("etag"));
  EXPECT_TRUE(h.has("ETAG"));
  EXPECT_EQ(h.get("eTaG"), "\"1\"");
  EXPECT_FALSE(h.has("vary"));
  EXPECT_EQ(h.get("vary"), "");
}

TEST(HeaderList, SetReplacesEveryField) {
  header_list h;
  h.add("Vary", "a");
  h.add("Other", "x");
  h.add("vary", "b");
  h.set("VARY", "c");
  ASSERT_EQ(h.fields().size(), 2U);
  EXPECT_EQ(h.get("vary"), "c");
  EXPECT_EQ(h.get("other"), "x");
}

TEST(HeaderList, Erase) {
  header_list h;
  h.add("A", "1");
  h.add("b", "2");
  h.add("a", "3");
  h.erase("A");
  ASSERT_EQ(h.fields().size(), 1U);
  EXPECT_EQ(h.fields()[0].first, "b");
  h.erase("missing");
  EXPECT_EQ(h.fields().size(), 1U);
}

TEST(Response, BodyViewPrefersTheSharedBody) {
  response r;
  r.body = "own";
  EXPECT_EQ(r.body_view(), "own");
  const auto shared = std::make_shared<const std::string>("shared");
  r.shared_body = shared;
  EXPECT_EQ(r.body_view(), "shared");
  EXPECT_EQ(r.body_view().data(), shared->data());  // no copy
}

TEST(MakeText, SetsStatusTypeAndBody) {
  const response r = make_text(201, "text/plain; charset=utf-8", "hi");
  EXPECT_EQ(r.status, 201U);
  EXPECT_EQ(r.headers.get("Content-Type"), "text/plain; charset=utf-8");
  EXPECT_EQ(r.body, "hi");
  EXPECT_FALSE(r.head_only);
}

TEST(MakeError, JsonShape) {
  const response r = make_error(404, "not_found", "No such file.");
  EXPECT_EQ(r.status, 404U);
  EXPECT_EQ(r.headers.get("content-type"), "application/json");
  EXPECT_EQ(r.body, R"({"error":{"code":"not_found","message":"No such file."}})");
}

TEST(MakeError, EscapesItsStrings) {
  const response r = make_error(400, "bad\"code", "line\nbreak \\ \x01");
  EXPECT_EQ(r.body, R"({"error":{"code":"bad\"code","message":"line\nbreak \\ \u0001"}})");
}

TEST(Reason, Phrases) {
  EXPECT_EQ(reason(200), "OK");
  EXPECT_EQ(reason(304), "Not Modified");
  EXPECT_EQ(reason(404), "Not Found");
  EXPECT_EQ(reason(405), "Method Not Allowed");
  EXPECT_EQ(reason(429), "Too Many Requests");
  EXPECT_EQ(reason(599), "Unknown");
}

TEST(Iequals, AsciiCaseInsensitive) {
  EXPECT_TRUE(iequals("Content-Type", "content-type"));
  EXPECT_TRUE(iequals("", ""));
  EXPECT_FALSE(iequals("abc", "abd"));
  EXPECT_FALSE(iequals("abc", "abcd"));
  EXPECT_FALSE(iequals("\xC3\xA9", "\xC3\x89"));  // bytes outside ASCII compare exactly
}

TEST(HttpMessage, ErrorBodyNamesTheFieldOnlyWhenGiven) {
  EXPECT_EQ(
      make_error(400, "invalid_payload", "must be a string", "user\"name").body,
      R"({"error":{"code":"invalid_payload","message":"must be a string","field":"user\"name"}})");
  EXPECT_EQ(make_error(429, "rate_limited", "later").body,
            R"({"error":{"code":"rate_limited","message":"later"}})");
}

TEST(HttpMessage, ATransportRefusalTakesStatusCodeAndMessageFromTheTable) {
  const auto r = make_error(core::wire_error::too_many_sessions);
  EXPECT_EQ(r.status, 429U);
  EXPECT_EQ(r.headers.get("content-type"), "application/json");
  EXPECT_EQ(
      r.body,
      R"({"error":{"code":"too_many_sessions","message":"too many realtime sessions from your address"}})");
  const auto busy = make_error(core::wire_error::server_busy, "full");
  EXPECT_EQ(busy.status, 503U);
  EXPECT_EQ(busy.body, R"({"error":{"code":"server_busy","message":"full"}})");
}

}  // namespace
}  // namespace hw::http

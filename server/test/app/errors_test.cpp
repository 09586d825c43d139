#include "app/errors.hpp"

#include <gtest/gtest.h>

#include <fstream>
#include <set>
#include <sstream>
#include <string>

#include "core/wire_errors.hpp"

namespace hw::app {
namespace {

constexpr std::size_t error_count = error_table.size();

error nth(std::size_t i) {
  return static_cast<error>(i);
}

TEST(AppErrors, EveryErrorHasAUniqueNonEmptyCodeAndAMessage) {
  std::set<std::string_view> codes;
  for (std::size_t i = 0; i < error_count; ++i) {
    const error e = nth(i);
    EXPECT_FALSE(code(e).empty()) << i;
    EXPECT_FALSE(message(e).empty()) << code(e);
    EXPECT_TRUE(codes.insert(code(e)).second) << "duplicate code " << code(e);
  }
  // The last enumerator has a row: a value appended to the enum without one fails here.
  EXPECT_EQ(static_cast<std::size_t>(error::relay_only) + 1, error_count);
}

bool is_snake_case(std::string_view s) {
  if (s.empty() || s.front() == '_' || s.back() == '_') return false;
  for (std::size_t i = 0; i < s.size(); ++i) {
    const bool letter = s[i] >= 'a' && s[i] <= 'z';
    if (!letter && !(s[i] == '_' && s[i - 1] != '_')) return false;
  }
  return true;
}

TEST(AppErrors, CodesAreLowerSnakeCase) {
  for (const auto& row : error_table)
    EXPECT_TRUE(is_snake_case(row.code)) << row.code;
  EXPECT_FALSE(is_snake_case("not__in"));
  EXPECT_FALSE(is_snake_case("Not_in"));
}

TEST(AppErrors, ParseErrorRoundTrips) {
  for (std::size_t i = 0; i < error_count; ++i) {
    const error e = nth(i);
    const auto parsed = parse_error(code(e));
    ASSERT_TRUE(parsed.has_value()) << code(e);
    EXPECT_EQ(*parsed, e) << code(e);
  }
  EXPECT_FALSE(parse_error("").has_value());
  EXPECT_FALSE(parse_error("Not_In_Chat").has_value());  // codes are matched exactly
  EXPECT_FALSE(parse_error("not_in_chat ").has_value());
  EXPECT_FALSE(parse_error("too_many_sessions").has_value());  // a transport code
}

TEST(AppErrors, KnownRowsKeepTheirWireForm) {
  // What clients and docs/protocol.md rely on; changing one is a protocol change.
  EXPECT_EQ(code(error::not_in_chat), "not_in_chat");
  EXPECT_EQ(code(error::token_expired), "token_expired");
  EXPECT_EQ(message(error::not_in_chat), "you are not in a chat");
  EXPECT_EQ(http_status(error::invalid_payload), 400);
  EXPECT_EQ(http_status(error::rate_limited), 429);
  EXPECT_EQ(http_status(error::token_invalid), 401);
  EXPECT_EQ(http_status(error::session_not_found), 401);
  EXPECT_EQ(http_status(error::too_many_guests), 429);
  EXPECT_EQ(http_status(error::server_busy), 503);
  EXPECT_EQ(http_status(error::not_in_chat), 409);    // POST /api/files outside a chat
  EXPECT_EQ(http_status(error::already_in_chat), 0);  // ack only
  EXPECT_EQ(http_status(error::file_type_not_allowed), 415);
  EXPECT_EQ(http_status(error::insufficient_storage), 507);
}

TEST(AppErrors, CodesUsedInBothTablesMeanTheSameStatus) {
  std::set<std::string_view> shared;
  for (const auto& row : error_table) {
    const auto wire = core::parse_wire_error(row.code);
    if (!wire) continue;
    shared.insert(row.code);
    EXPECT_EQ(static_cast<unsigned>(row.http_status), core::http_status(*wire)) << row.code;
  }
  // A new overlap is a decision, not an accident: list it here.
  EXPECT_EQ(shared, (std::set<std::string_view>{"rate_limited", "server_busy"}));
}

std::string read_protocol_doc() {
  std::ifstream in(std::string(HALLWAY_DOCS_DIR) + "/protocol.md");
  std::ostringstream text;
  text << in.rdbuf();
  return text.str();
}

// Every backticked word with an underscore in docs/protocol.md is an error code (the document
// names fields in camelCase): the set of them must be exactly the codes of the two tables that
// the protocol documents.
TEST(AppErrors, ProtocolDocumentsEveryDomainCodeAndNoOther) {
  const std::string doc = read_protocol_doc();
  ASSERT_FALSE(doc.empty()) << "cannot read " << HALLWAY_DOCS_DIR << "/protocol.md";
  std::set<std::string> documented;
  for (std::size_t open = doc.find('`'); open != std::string::npos;) {
    const std::size_t close = doc.find('`', open + 1);
    if (close == std::string::npos) break;
    const std::string_view word(doc.data() + open + 1, close - open - 1);
    if (is_snake_case(word) && word.find('_') != std::string_view::npos) {
      documented.emplace(word);
    }
    open = doc.find('`', close + 1);
  }
  ASSERT_GE(documented.size(), 10U);  // the scan found the document's codes
  for (const auto& row : error_table) {
    // A code without an underscore (`busy`) is found by its backticked form.
    const bool found = documented.count(std::string(row.code)) == 1 ||
                       doc.find("`" + std::string(row.code) + "`") != std::string::npos;
    EXPECT_TRUE(found) << row.code << " is not documented";
  }
  for (const auto& name : documented) {
    EXPECT_TRUE(parse_error(name) || core::parse_wire_error(name))
        << "docs/protocol.md documents `" << name << "`, which no error table declares";
  }
}

}  // namespace
}  // namespace hw::app

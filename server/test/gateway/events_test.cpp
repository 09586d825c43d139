#include "gateway/events.hpp"

#include <gtest/gtest.h>

#include <boost/json.hpp>

#include <algorithm>
#include <set>
#include <string>
#include <vector>

#include "gateway/event_table.hpp"

namespace hw::gateway::events {
namespace {

template <class List>
std::vector<std::string> strings(const List& l) {
  return {l.begin(), l.end()};
}

/// The client events: the event table's names, in its order.
std::vector<std::string> client_names() {
  std::vector<std::string> out;
  for (const auto& row : event_table())
    out.emplace_back(row.name);
  return out;
}

TEST(GatewayEvents, EachListNamesAnEventOnce) {
  const auto client = client_names();
  for (const auto& list : {client, strings(server)}) {
    EXPECT_EQ(std::set<std::string>(list.begin(), list.end()).size(), list.size());
    for (const auto& name : list)
      EXPECT_FALSE(name.empty());
  }
  // The names used both ways are the same constants in both lists.
  for (const auto both : {chat_message, chat_typing_start, chat_typing_stop}) {
    EXPECT_EQ(std::count(client.begin(), client.end(), both), 1) << both;
    EXPECT_EQ(std::count(server.begin(), server.end(), both), 1) << both;
  }
  for (const auto alias : chat_leave_aliases)
    EXPECT_EQ(std::count(client.begin(), client.end(), alias), 1) << alias;
  EXPECT_EQ(std::count(client.begin(), client.end(), user_report), 1);
}

TEST(GatewayEvents, ListJsonIsBothListsInOrder) {
  const std::string text = list_json();
  ASSERT_FALSE(text.empty());
  EXPECT_EQ(text.back(), '\n');
  const auto v = boost::json::parse(text);
  const auto& o = v.as_object();
  EXPECT_EQ(o.size(), 2U);
  const auto names = [&o](const char* key) {
    std::vector<std::string> out;
    for (const auto& n : o.at(key).as_array())
      out.emplace_back(n.as_string());
    return out;
  };
  EXPECT_EQ(names("client"), client_names());
  EXPECT_EQ(names("server"), strings(server));
}

}  // namespace
}  // namespace hw::gateway::events

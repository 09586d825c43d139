#include "gateway/events.hpp"

#include <boost/json.hpp>

#include "gateway/event_table.hpp"

namespace hw::gateway::events {

std::string list_json() {
  boost::json::array client;
  for (const auto& row : event_table())
    client.emplace_back(row.name);
  boost::json::array emitted;
  for (const auto name : server)
    emitted.emplace_back(name);
  return boost::json::serialize(
             boost::json::object{{"client", std::move(client)}, {"server", std::move(emitted)}}) +
         "\n";
}

}  // namespace hw::gateway::events

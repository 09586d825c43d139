#include "gateway/events.hpp"

#include <boost/json.hpp>

namespace hw::gateway::events {

std::string list_json() {
  const auto names = [](const auto& list) {
    boost::json::array a;
    for (const auto name : list)
      a.emplace_back(name);
    return a;
  };
  return boost::json::serialize(
             boost::json::object{{"client", names(client)}, {"server", names(server)}}) +
         "\n";
}

}  // namespace hw::gateway::events

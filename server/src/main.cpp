// Hallway server entry point: parse the configuration, then hand over to run_server with the
// Socket.IO namespaces of the product.

#include <cstdio>
#include <string>
#include <vector>

#include "config/config.hpp"
#include "gateway/events.hpp"
#include "runtime.hpp"

int main(int argc, char** argv) {
  const std::vector<std::string> args(argv + 1, argv + argc);
  auto parsed = hw::config::parse(args, hw::config::process_environment());
  if (parsed.list_events) {
    std::fputs(hw::gateway::events::list_json().c_str(), stdout);
    return 0;
  }
  if (!parsed.cfg) {
    std::fputs(parsed.output.c_str(), parsed.exit_code == 0 ? stdout : stderr);
    return parsed.exit_code;
  }
  return hw::run_server(*parsed.cfg, nullptr);  // the product: the chat gateway on "/"
}

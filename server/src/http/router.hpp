#pragma once
// Routes a request to the handler that owns its path. Mounts are fixed at start (no locking).

#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "http/handler.hpp"
#include "http/security_headers.hpp"

namespace hw::http {

/// Dispatch order: /metrics is a 404 (it lives on the ops listener), the health paths go to ops,
/// then the longest mounted prefix, then the fallback (static
/// files). Prefixes under /api/ get CORS headers and preflight handling; an unknown /api/ path is
/// a JSON 404 (never the SPA page). admit() asks the handler that handle() will call, by the same
/// rules, so each route sets its own body plan (and /api/ refusals and streamed answers get
/// CORS headers too).
class router final : public handler {
 public:
  router(security_policy policy, handler& ops, handler& fallback)
      : policy_(std::move(policy)), ops_(ops), fallback_(fallback) {}
  /// Mounts `h` for every path starting with `prefix` (e.g. "/api/guest", "/socket.io/").
  void mount(std::string prefix, handler& h);
  void admit(const request& head, plan_fn decide) override;
  void handle(const request& req, respond_fn respond) override;

 private:
  /// The handler of `path` (ops, a mount or the fallback); null when the router answers itself
  /// (/metrics, an unknown /api/ path).
  handler* route(std::string_view path);

  security_policy policy_;
  handler& ops_;
  handler& fallback_;
  std::vector<std::pair<std::string, handler*>> mounts_;
};

}  // namespace hw::http

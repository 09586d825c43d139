#include "http/router.hpp"

#include <algorithm>

namespace hw::http {

void router::mount(std::string prefix, handler& h) {
  mounts_.emplace_back(std::move(prefix), &h);
  // Longest prefix first, so "/api/guest/me" can be mounted apart from "/api/guest".
  std::sort(mounts_.begin(), mounts_.end(),
            [](const auto& a, const auto& b) { return a.first.size() > b.first.size(); });
}

void router::handle(const request& req, respond_fn respond) {
  if (req.path == "/metrics") {
    // Metrics reveal load and internals: served on the ops listener only (--ops-listen).
    respond(make_error(core::wire_error::not_found));
    return;
  }
  if (is_ops_path(req.path)) {
    ops_.handle(req, std::move(respond));
    return;
  }
  const bool api = is_api_path(req.path);
  if (api) {
    if (req.method == "OPTIONS" && req.headers.has("access-control-request-method")) {
      respond(preflight(req, policy_));
      return;
    }
    // CORS headers on every /api/ answer, including errors, so browsers can read error bodies.
    respond = [this, &req, inner = std::move(respond)](response res) {
      add_cors_headers(req, res, policy_);
      inner(std::move(res));
    };
  }
  for (const auto& [prefix, h] : mounts_) {
    if (req.path.starts_with(prefix)) {
      h->handle(req, std::move(respond));
      return;
    }
  }
  if (api) {
    respond(make_error(core::wire_error::not_found, "no such API endpoint"));
    return;
  }
  fallback_.handle(req, std::move(respond));
}

}  // namespace hw::http

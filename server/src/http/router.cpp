#include "http/router.hpp"

#include <algorithm>
#include <memory>

namespace hw::http {

namespace {

/// A sink whose answer gets the /api/ CORS headers, as handle()'s answers do. It keeps the
/// Origin itself: the request may be gone by the time the sink answers.
class cors_sink final : public body_sink {
 public:
  cors_sink(std::shared_ptr<body_sink> inner, std::string_view origin,
            const security_policy& policy)
      : inner_(std::move(inner)), policy_(policy) {
    origin_.headers.add("origin", origin);
  }
  void write(std::span<const char> chunk, std::function<void(bool ok)> done) override {
    inner_->write(chunk, std::move(done));
  }
  void finish(bool failed, respond_fn respond) override {
    inner_->finish(failed, [o = origin_, &policy = policy_, r = std::move(respond)](response res) {
      add_cors_headers(o, res, policy);
      r(std::move(res));
    });
  }
  void abort() override { inner_->abort(); }

 private:
  std::shared_ptr<body_sink> inner_;
  request origin_;                 ///< only the Origin header
  const security_policy& policy_;  ///< the router's, which outlives every request
};

}  // namespace

void router::mount(std::string prefix, handler& h) {
  mounts_.emplace_back(std::move(prefix), &h);
  // Longest prefix first, so "/api/guest/me" can be mounted apart from "/api/guest".
  std::sort(mounts_.begin(), mounts_.end(),
            [](const auto& a, const auto& b) { return a.first.size() > b.first.size(); });
}

handler* router::route(std::string_view path) {
  // Metrics reveal load and internals: served on the ops listener only (--ops-listen).
  if (path == "/metrics") return nullptr;
  if (is_ops_path(path)) return &ops_;
  for (const auto& [prefix, h] : mounts_) {
    if (path.starts_with(prefix)) return h;
  }
  return is_api_path(path) ? nullptr : &fallback_;
}

void router::admit(const request& head, plan_fn decide) {
  handler* h = route(head.path);
  const bool preflight_request =
      head.method == "OPTIONS" && head.headers.has("access-control-request-method");
  if (h == nullptr || (is_api_path(head.path) && preflight_request)) {
    decide(body_plan{});  // answered by the router itself: the default plan
    return;
  }
  if (!is_api_path(head.path)) {
    h->admit(head, std::move(decide));
    return;
  }
  h->admit(head, [this, &head, d = std::move(decide)](body_plan plan) {
    if (plan.refusal) add_cors_headers(head, *plan.refusal, policy_);
    if (plan.sink) {
      plan.sink = std::make_shared<cors_sink>(std::move(plan.sink),
                                              std::string(head.headers.get("origin")), policy_);
    }
    d(std::move(plan));
  });
}

void router::handle(const request& req, respond_fn respond) {
  if (req.path == "/metrics") {
    respond(make_error(core::wire_error::not_found));
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
  handler* h = route(req.path);
  if (h == nullptr) {
    respond(make_error(core::wire_error::not_found, "no such API endpoint"));
    return;
  }
  h->handle(req, std::move(respond));
}

}  // namespace hw::http

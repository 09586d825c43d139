#include "http/ops.hpp"

namespace hw::http {

void ops::handle(const request& req, respond_fn respond) {
  if (req.method != "GET" && req.method != "HEAD") {
    auto res = make_error(core::wire_error::method_not_allowed);
    res.headers.set("allow", "GET, HEAD");
    respond(std::move(res));
    return;
  }
  response res;
  if (req.path == "/healthz") {
    res = make_text(200, "application/json", R"({"status":"ok"})");
  } else if (req.path == "/readyz") {
    res = ready_() ? make_text(200, "application/json", R"({"status":"ready"})")
                   : make_text(503, "application/json", R"({"status":"draining"})");
  } else if (req.path == "/metrics") {
    res = make_text(200, "text/plain; version=0.0.4; charset=utf-8", metrics_.render());
  } else {
    res = make_error(core::wire_error::not_found);
  }
  res.headers.set("cache-control", "no-store");
  res.head_only = req.method == "HEAD";
  respond(std::move(res));
}

}  // namespace hw::http

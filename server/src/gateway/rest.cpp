#include "gateway/rest.hpp"

#include <boost/json.hpp>
#include <utility>

namespace hw::gateway {

namespace json = boost::json;

namespace {

http::response no_store(http::response r) {
  r.headers.set("cache-control", "no-store");
  return r;
}

}  // namespace

http::response personal_json(unsigned status, const json::object& body) {
  return no_store(http::make_text(status, "application/json", json::serialize(body)));
}

http::response personal_error(app::error e, std::string_view message, std::string_view field) {
  return no_store(http::make_error(static_cast<unsigned>(app::http_status(e)), app::code(e),
                                   message.empty() ? app::message(e) : message, field));
}

http::response personal_error(core::wire_error e, std::string_view message) {
  return no_store(http::make_error(e, message));
}

http::response method_not_allowed(std::string_view allow, std::string_view message, bool personal) {
  auto r = personal ? personal_error(core::wire_error::method_not_allowed, message)
                    : http::make_error(core::wire_error::method_not_allowed, message);
  r.headers.set("allow", allow);
  return r;
}

std::string_view bearer_token(const http::request& req) {
  const auto auth = req.headers.get("authorization");
  if (auth.size() < 8 || !http::iequals(auth.substr(0, 7), "Bearer ")) return {};
  return auth.substr(7);
}

http::response unauthorized(app::error e, std::string_view message) {
  auto r = personal_error(e, message);
  r.headers.set("www-authenticate", "Bearer error=\"invalid_token\"");
  return r;
}

std::optional<json::object> parse_object_body(std::string_view body) {
  boost::system::error_code ec;
  json::parse_options po;
  po.max_depth = 8;
  auto v = json::parse(body, ec, {}, po);
  if (ec || !v.is_object()) return std::nullopt;
  return std::move(v.as_object());
}

}  // namespace hw::gateway

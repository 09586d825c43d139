#pragma once
// What every REST endpoint of the gateway answers with: JSON bodies and the error shape of
// http::make_error, with the status and code taken from the error tables (app/errors.hpp for
// domain refusals, core/wire_errors.hpp for HTTP-level ones). API answers are personal: never
// cached (the `personal` responses add Cache-Control: no-store).

#include <boost/json/object.hpp>
#include <optional>
#include <string_view>

#include "app/errors.hpp"
#include "core/wire_errors.hpp"
#include "http/message.hpp"

namespace hw::gateway {

/// A JSON body with `status`, marked no-store.
http::response personal_json(unsigned status, const boost::json::object& body);
/// The domain refusal `e` with its table status (the table's message unless one is given),
/// marked no-store.
http::response personal_error(app::error e, std::string_view message = {},
                              std::string_view field = {});
/// An HTTP-level refusal (not_found, method_not_allowed, ...), marked no-store.
http::response personal_error(core::wire_error e, std::string_view message = {});
/// 405 with the `Allow` header; `personal` adds no-store.
http::response method_not_allowed(std::string_view allow, std::string_view message,
                                  bool personal = true);
/// The token of `Authorization: Bearer <token>`; empty when there is none.
std::string_view bearer_token(const http::request& req);
/// A token refusal (401 from the domain table) with `WWW-Authenticate: Bearer`, marked no-store.
http::response unauthorized(app::error e, std::string_view message = {});
/// A request body as a JSON object (at most 8 levels deep); nullopt when it is not one.
std::optional<boost::json::object> parse_object_body(std::string_view body);

}  // namespace hw::gateway

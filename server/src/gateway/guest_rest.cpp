#include "gateway/guest_rest.hpp"

#include <boost/json.hpp>
#include <ctime>

#include "app/validate.hpp"
#include "core/jwt.hpp"
#include "core/random.hpp"
#include "gateway/codec.hpp"
#include "gateway/rest.hpp"

namespace hw::gateway {

namespace json = boost::json;

namespace {

std::string iso8601(std::int64_t unix_s) {
  const std::time_t t = unix_s;
  std::tm tm{};
  gmtime_r(&t, &tm);
  char buf[32];
  std::strftime(buf, sizeof buf, "%Y-%m-%dT%H:%M:%SZ", &tm);
  return buf;
}

}  // namespace

guest_rest::guest_rest(guest_rest_options opts, app::session_store& sessions,
                       const app::clock& clock)
    : opts_(std::move(opts)),
      sessions_(sessions),
      clock_(clock),
      create_buckets_(opts_.create_limit, opts_.max_tracked_clients) {}

void guest_rest::handle(const http::request& req, http::respond_fn respond) {
  if (req.path == "/api/guest") {
    if (req.method != "POST") return respond(method_not_allowed("POST", "use POST"));
    return create(req, respond);
  }
  if (req.path == "/api/guest/me" || req.path == "/api/guest/refresh") {
    const bool refresh = req.path == "/api/guest/refresh";
    const std::string_view want = refresh ? "POST" : "GET";
    if (req.method != want) return respond(method_not_allowed(want, "wrong method"));
    return me(req, respond, refresh);
  }
  respond(personal_error(core::wire_error::not_found, "no such API endpoint"));
}

json::object guest_rest::issue(const app::guest& g) const {
  const std::int64_t now = clock_.unix_ms() / 1000;
  core::jwt::claims c;
  c.sub = g.id;
  c.iss = opts_.issuer;
  c.aud = opts_.audience;
  c.iat = now;
  c.exp = now + opts_.token_lifetime.count();
  c.jti = core::random_token(12);
  return json::object{{"token", core::jwt::sign(c, opts_.jwt_key)},
                      {"expiresAt", iso8601(c.exp)},
                      {"user", encode_guest(g)}};
}

void guest_rest::create(const http::request& req, const http::respond_fn& respond) {
  std::int64_t retry_ms = 0;
  if (!create_buckets_.try_take(req.client_id, clock_.now(), retry_ms)) {
    auto r = personal_error(app::error::rate_limited, "too many guests created; retry later");
    r.headers.set("retry-after", std::to_string((retry_ms + 999) / 1000));
    return respond(std::move(r));
  }
  json::object body;
  if (!req.body.empty()) {
    auto parsed = parse_object_body(req.body);
    if (!parsed) {
      return respond(
          personal_error(app::error::invalid_payload, "body must be a JSON object", "body"));
    }
    body = std::move(*parsed);
  }
  auto decoded = decode_guest_request(body, opts_.max_interests);
  if (!decoded.value) {
    return respond(
        personal_error(app::error::invalid_payload, decoded.error.message, decoded.error.field));
  }
  auto& fields = *decoded.value;
  app::crypto_random rnd;
  std::optional<std::string_view> name;
  if (fields.username) name = *fields.username;
  auto username = app::resolve_username(name, rnd);  // generated when absent (already checked)
  app::guest g{"g_" + core::random_token(16), std::move(username.value), std::move(fields.language),
               std::move(fields.interests)};
  sessions_.create(g, req.client_id, [this, g, respond](app::create_status st) {
    if (st == app::create_status::owner_full) {
      return respond(personal_error(app::error::too_many_guests));
    }
    if (st != app::create_status::ok) return respond(personal_error(app::error::server_busy));
    respond(personal_json(201, issue(g)));
  });
}

token_check guest_rest::check_token(std::string_view token) const {
  core::jwt::claims c;
  const auto err = core::jwt::verify(token, opts_.jwt_key, opts_.issuer, opts_.audience,
                                     clock_.unix_ms() / 1000, c);
  if (err == core::jwt::error::none) return {c.sub, std::nullopt};
  return {{},
          err == core::jwt::error::expired ? app::error::token_expired : app::error::token_invalid};
}

void guest_rest::me(const http::request& req, const http::respond_fn& respond, bool refresh) {
  const auto token = bearer_token(req);
  if (token.empty())
    return respond(unauthorized(app::error::token_invalid, "missing bearer token"));
  const auto check = check_token(token);
  if (check.error) return respond(unauthorized(*check.error));
  sessions_.touch(check.guest_id, [this, respond, refresh](std::optional<app::guest> g) {
    if (!g) return respond(unauthorized(app::error::session_not_found));
    if (!refresh) return respond(personal_json(200, json::object{{"user", encode_guest(*g)}}));
    respond(personal_json(200, issue(*g)));
  });
}

}  // namespace hw::gateway

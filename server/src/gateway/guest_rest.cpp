#include "gateway/guest_rest.hpp"

#include <boost/json.hpp>
#include <ctime>

#include "app/validate.hpp"
#include "core/jwt.hpp"
#include "core/random.hpp"

namespace hw::gateway {

using http::make_text;
using http::request;
using http::respond_fn;
using http::response;

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

json::object user_json(const app::guest& g) {
  json::array interests;
  for (const auto& i : g.interests)
    interests.emplace_back(i);
  return json::object{
      {"id", g.id},
      {"username", g.username},
      {"language", g.language.empty() ? json::value(nullptr) : json::value(g.language)},
      {"interests", std::move(interests)}};
}

response json_response(unsigned status, const json::object& body) {
  auto r = make_text(status, "application/json", json::serialize(body));
  r.headers.set("cache-control", "no-store");
  return r;
}

// Every API answer is personal: never cached.
response make_field_error(unsigned status, std::string_view code, std::string_view message,
                          std::string_view field) {
  auto r = http::make_error(status, code, message, field);
  r.headers.set("cache-control", "no-store");
  return r;
}

response unauthorized(std::string_view code, std::string_view message) {
  auto r = make_field_error(401, code, message, {});
  r.headers.set("www-authenticate", "Bearer error=\"invalid_token\"");
  return r;
}

}  // namespace

guest_rest::guest_rest(guest_rest_options opts, app::session_store& sessions,
                       const app::clock& clock)
    : opts_(std::move(opts)),
      sessions_(sessions),
      clock_(clock),
      create_buckets_(opts_.create_limit, opts_.max_tracked_clients) {}

void guest_rest::handle(const request& req, respond_fn respond) {
  if (req.path == "/api/guest") {
    if (req.method != "POST") {
      auto r = make_field_error(405, "method_not_allowed", "use POST", {});
      r.headers.set("allow", "POST");
      return respond(std::move(r));
    }
    return create(req, respond);
  }
  if (req.path == "/api/guest/me" || req.path == "/api/guest/refresh") {
    const bool refresh = req.path == "/api/guest/refresh";
    const std::string_view want = refresh ? "POST" : "GET";
    if (req.method != want) {
      auto r = make_field_error(405, "method_not_allowed", "wrong method", {});
      r.headers.set("allow", want);
      return respond(std::move(r));
    }
    return me(req, respond, refresh);
  }
  respond(make_field_error(404, "not_found", "no such API endpoint", {}));
}

std::string guest_rest::issue(const app::guest& g, std::int64_t& expires_unix) const {
  const std::int64_t now = clock_.unix_ms() / 1000;
  core::jwt::claims c;
  c.sub = g.id;
  c.iss = opts_.issuer;
  c.aud = opts_.audience;
  c.iat = now;
  c.exp = now + opts_.token_lifetime.count();
  c.jti = core::random_token(12);
  expires_unix = c.exp;
  return core::jwt::sign(c, opts_.jwt_key);
}

void guest_rest::create(const request& req, const respond_fn& respond) {
  std::int64_t retry_ms = 0;
  if (!create_buckets_.try_take(req.client_id, clock_.now(), retry_ms)) {
    auto r = make_field_error(429, "rate_limited", "too many guests created; retry later", {});
    r.headers.set("retry-after", std::to_string((retry_ms + 999) / 1000));
    return respond(std::move(r));
  }
  json::object body;
  if (!req.body.empty()) {
    boost::system::error_code ec;
    json::parse_options po;
    po.max_depth = 8;
    auto v = json::parse(req.body, ec, {}, po);
    if (ec || !v.is_object()) {
      return respond(
          make_field_error(400, "invalid_payload", "body must be a JSON object", "body"));
    }
    body = std::move(v.as_object());
  }
  app::crypto_random rnd;
  // username
  std::optional<std::string_view> name;
  if (const auto* u = body.if_contains("username"); u != nullptr && !u->is_null()) {
    if (!u->is_string()) {
      return respond(make_field_error(400, "invalid_payload", "must be a string", "username"));
    }
    name = std::string_view(u->as_string());
  }
  auto username = app::resolve_username(name, rnd);
  if (!username)
    return respond(make_field_error(400, username.code, username.message, username.field));
  // language
  std::string language;
  if (const auto* l = body.if_contains("language"); l != nullptr && !l->is_null()) {
    if (!l->is_string()) {
      return respond(make_field_error(400, "invalid_payload", "must be a string", "language"));
    }
    auto v = app::validate_language(std::string_view(l->as_string()));
    if (!v) return respond(make_field_error(400, v.code, v.message, v.field));
    language = std::move(v.value);
  }
  // interests
  std::vector<std::string> interests;
  if (const auto* i = body.if_contains("interests"); i != nullptr && !i->is_null()) {
    if (!i->is_array()) {
      return respond(
          make_field_error(400, "invalid_payload", "must be an array of strings", "interests"));
    }
    std::vector<std::string> raw;
    for (const auto& t : i->as_array()) {
      if (!t.is_string()) {
        return respond(
            make_field_error(400, "invalid_payload", "must be an array of strings", "interests"));
      }
      raw.emplace_back(t.as_string());
    }
    auto v = app::validate_interests(raw, opts_.max_interests);
    if (!v) return respond(make_field_error(400, v.code, v.message, v.field));
    interests = std::move(v.value);
  }

  app::guest g{"g_" + core::random_token(16), std::move(username.value), std::move(language),
               std::move(interests)};
  sessions_.create(g, req.client_id, [this, g, respond](app::create_status st) {
    if (st == app::create_status::owner_full) {
      return respond(
          make_field_error(429, "too_many_guests", "too many live guests from your address", {}));
    }
    if (st != app::create_status::ok) {
      return respond(make_field_error(503, "server_busy", "too many guests right now", {}));
    }
    std::int64_t exp = 0;
    auto token = issue(g, exp);
    respond(json_response(
        201, json::object{{"token", token}, {"expiresAt", iso8601(exp)}, {"user", user_json(g)}}));
  });
}

token_check guest_rest::check_token(std::string_view token) const {
  core::jwt::claims c;
  const auto err = core::jwt::verify(token, opts_.jwt_key, opts_.issuer, opts_.audience,
                                     clock_.unix_ms() / 1000, c);
  if (err == core::jwt::error::none) return {c.sub, {}};
  return {{}, err == core::jwt::error::expired ? "token_expired" : "token_invalid"};
}

void guest_rest::me(const request& req, const respond_fn& respond, bool refresh) {
  const auto auth = req.headers.get("authorization");
  if (auth.size() < 8 || !http::iequals(auth.substr(0, 7), "Bearer ")) {
    return respond(unauthorized("token_invalid", "missing bearer token"));
  }
  const auto check = check_token(auth.substr(7));
  if (!check.error.empty()) {
    return respond(unauthorized(check.error, check.error == "token_expired"
                                                 ? "the token has expired"
                                                 : "the token is not valid"));
  }
  sessions_.touch(check.guest_id, [this, respond, refresh](std::optional<app::guest> g) {
    if (!g) return respond(unauthorized("session_not_found", "the guest session has ended"));
    if (!refresh) return respond(json_response(200, json::object{{"user", user_json(*g)}}));
    std::int64_t exp = 0;
    auto token = issue(*g, exp);
    respond(json_response(
        200, json::object{{"token", token}, {"expiresAt", iso8601(exp)}, {"user", user_json(*g)}}));
  });
}

}  // namespace hw::gateway

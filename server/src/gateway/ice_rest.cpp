#include "gateway/ice_rest.hpp"

#include <boost/json.hpp>

#include "core/hmac.hpp"
#include "core/sha256.hpp"
#include "gateway/rest.hpp"
#include "http/path.hpp"

namespace hw::gateway {

namespace json = boost::json;

namespace {

json::array strings(const std::vector<std::string>& v) {
  json::array a;
  for (const auto& s : v)
    a.emplace_back(s);
  return a;
}

}  // namespace

turn_credential make_turn_credential(std::string_view secret, std::string_view guest_id,
                                     std::int64_t expires_unix) {
  turn_credential c;
  c.username = std::to_string(expires_unix) + ":" + std::string(guest_id);
  c.credential = core::base64_encode(core::hmac_sha1(secret, c.username));
  return c;
}

ice_rest::ice_rest(ice_options opts, token_verifier verify, app::session_store& sessions,
                   const app::clock& clock)
    : opts_(std::move(opts)), verify_(std::move(verify)), sessions_(sessions), clock_(clock) {}

void ice_rest::handle(const http::request& req, http::respond_fn respond) {
  if (req.path != "/api/ice-servers") {
    return respond(personal_error(core::wire_error::not_found, "no such API endpoint"));
  }
  if (req.method != "GET") return respond(method_not_allowed("GET", "use GET"));
  const auto token = bearer_token(req);
  if (token.empty())
    return respond(unauthorized(app::error::token_invalid, "missing bearer token"));
  const auto check = verify_(token);
  if (check.error) return respond(unauthorized(*check.error));
  const auto mode = http::query_param(req.query, "mode");
  if (!mode.empty() && mode != "video" && mode != "text") {
    return respond(
        personal_error(app::error::invalid_payload, "mode must be video or text", "mode"));
  }
  const auto privacy = mode == "text" ? opts_.privacy_text : opts_.privacy_video;
  sessions_.touch(check.guest_id, [this, respond, privacy,
                                   id = check.guest_id](const std::optional<app::guest>& g) {
    if (!g) return respond(unauthorized(app::error::session_not_found));
    json::array servers;
    if (!opts_.stun_urls.empty())
      servers.push_back(json::object{{"urls", strings(opts_.stun_urls)}});
    if (!opts_.turn_secret.empty() && !opts_.turn_urls.empty()) {
      const auto expires = clock_.unix_ms() / 1000 + opts_.ttl.count();
      const auto c = make_turn_credential(opts_.turn_secret, id, expires);
      servers.push_back(json::object{{"urls", strings(opts_.turn_urls)},
                                     {"username", c.username},
                                     {"credential", c.credential}});
    }
    const bool relay = privacy == app::call_privacy::relay;
    respond(personal_json(200, json::object{{"iceServers", std::move(servers)},
                                            {"iceTransportPolicy", relay ? "relay" : "all"},
                                            {"ttl", opts_.ttl.count()}}));
  });
}

}  // namespace hw::gateway

#pragma once
// REST endpoints for anonymous guests: create (POST /api/guest), who am I (GET /api/guest/me),
// refresh (POST /api/guest/refresh). Tokens are HS256 JWTs whose subject is the guest id; the
// guest's session lives in the session store with a sliding inactivity TTL, so a token is only
// good while both its `exp` and the session are alive. Bodies are decoded and answers encoded
// by the gateway's codec (the guest's one JSON form is the `user` object).

#include <boost/json/object.hpp>
#include <chrono>
#include <string>

#include "app/guest.hpp"
#include "app/ports.hpp"
#include "app/rate_limit.hpp"
#include "gateway/token_check.hpp"
#include "http/handler.hpp"

namespace hw::gateway {

struct guest_rest_options {
  std::string jwt_key;
  std::string issuer = "hallway";
  std::string audience = "hallway";
  std::chrono::seconds token_lifetime{7200};
  app::bucket_config create_limit = app::guest_create_limit_default;  ///< per client address
  std::size_t max_interests = 10;
  std::size_t max_tracked_clients = 100'000;  ///< bound of the per-address rate-limit table
};

class guest_rest final : public http::handler {
 public:
  guest_rest(guest_rest_options opts, app::session_store& sessions, const app::clock& clock);
  void handle(const http::request& req, http::respond_fn respond) override;

  /// Verifies a token's signature, issuer, audience and expiry (not the session).
  [[nodiscard]] token_check check_token(std::string_view token) const;

 private:
  void create(const http::request& req, const http::respond_fn& respond);
  void me(const http::request& req, const http::respond_fn& respond, bool refresh);
  /// `{token, expiresAt, user}` for `g`, with a new token.
  [[nodiscard]] boost::json::object issue(const app::guest& g) const;

  guest_rest_options opts_;
  app::session_store& sessions_;
  const app::clock& clock_;
  app::keyed_buckets create_buckets_;  ///< per client address (request::client_id)
};

}  // namespace hw::gateway

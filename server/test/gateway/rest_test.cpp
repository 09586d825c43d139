// The gateway's REST handlers without sockets: requests in, responses out, over the in-memory
// session store and a clock moved by hand.

#include <gtest/gtest.h>

#include <boost/json.hpp>

#include <optional>
#include <string>

#include "app/testing.hpp"
#include "gateway/guest_rest.hpp"
#include "gateway/stats_rest.hpp"
#include "state/memory/session_store.hpp"

namespace hw::gateway {
namespace {

namespace json = boost::json;

http::response call(http::handler& h, const http::request& req) {
  std::optional<http::response> out;
  h.handle(req, [&out](http::response r) { out = std::move(r); });
  EXPECT_TRUE(out) << "answered synchronously";
  return out ? std::move(*out) : http::response{};
}

http::request make(std::string method, std::string path, std::string body = {}) {
  http::request r;
  r.method = std::move(method);
  r.path = std::move(path);
  r.body = std::move(body);
  r.client_id = "client-1";
  return r;
}

json::value body_of(const http::response& r) {
  return json::parse(r.body_view());
}

TEST(GatewayStatsRest, AnswersTheCountsInTheCodecsForm) {
  stats_rest h([] { return app::stats_snapshot{5, 1, 2}; });
  const auto ok = call(h, make("GET", "/api/stats"));
  EXPECT_EQ(ok.status, 200U);
  EXPECT_EQ(ok.body_view(), R"({"online":5,"searching":1,"chatting":2})");
  EXPECT_EQ(ok.headers.get("content-type"), "application/json");
  const auto refused = call(h, make("POST", "/api/stats"));
  EXPECT_EQ(refused.status, 405U);
  EXPECT_EQ(refused.headers.get("allow"), "GET");
  EXPECT_EQ(body_of(refused).at("error").at("code"), "method_not_allowed");
}

struct guests_fixture {
  app::manual_clock clock;
  state::memory::session_store sessions{[this] { return clock.now(); }, std::chrono::minutes(30),
                                        100, 2};
  guest_rest api{guest_rest_options{.jwt_key = std::string(32, 'k')}, sessions, clock};
};

TEST(GatewayGuestRest, CreateAnswersTheTokenAndTheGuestsOneJsonForm) {
  guests_fixture f;
  const auto r = call(f.api, make("POST", "/api/guest",
                                  R"({"username":"Ada_1","language":"EN-us","interests":["Go"]})"));
  ASSERT_EQ(r.status, 201U) << r.body_view();
  EXPECT_EQ(r.headers.get("cache-control"), "no-store");
  const auto b = body_of(r);
  const auto& user = b.at("user");
  EXPECT_EQ(user.at("username"), "Ada_1");
  EXPECT_EQ(user.at("language"), "en-US");
  EXPECT_EQ(user.at("interests"), json::array{"go"});
  EXPECT_FALSE(b.at("token").as_string().empty());
  EXPECT_TRUE(b.at("expiresAt").is_string());
  // The token names the guest, and /me answers the same user object.
  const auto check = f.api.check_token(b.at("token").as_string());
  EXPECT_FALSE(check.error);
  EXPECT_EQ(check.guest_id, user.at("id").as_string());
  auto me = make("GET", "/api/guest/me");
  me.headers.set("authorization", "Bearer " + std::string(b.at("token").as_string()));
  const auto who = call(f.api, me);
  EXPECT_EQ(who.status, 200U);
  EXPECT_EQ(body_of(who).at("user"), user);
}

TEST(GatewayGuestRest, BadBodiesAreInvalidPayloadWithTheirField) {
  guests_fixture f;
  const std::pair<const char*, const char*> cases[] = {
      {"[1]", "body"},
      {"{", "body"},
      {R"({"username":3})", "username"},
      {R"({"language":"english"})", "language"},
      {R"({"interests":"go"})", "interests"},
  };
  for (const auto& [text, field] : cases) {
    const auto r = call(f.api, make("POST", "/api/guest", text));
    EXPECT_EQ(r.status, 400U) << text;
    EXPECT_EQ(body_of(r).at("error").at("code"), "invalid_payload") << text;
    EXPECT_EQ(body_of(r).at("error").at("field"), field) << text;
  }
}

TEST(GatewayGuestRest, TokensAreRefusedWithTheTablesCodes) {
  guests_fixture f;
  const auto created = body_of(call(f.api, make("POST", "/api/guest")));
  const std::string token(created.at("token").as_string());
  const auto me = [&f](const std::string& auth) {
    auto req = make("GET", "/api/guest/me");
    if (!auth.empty()) req.headers.set("authorization", auth);
    return call(f.api, req);
  };
  const auto missing = me("");
  EXPECT_EQ(missing.status, 401U);
  EXPECT_EQ(body_of(missing).at("error").at("code"), "token_invalid");
  EXPECT_EQ(missing.headers.get("www-authenticate"), "Bearer error=\"invalid_token\"");
  EXPECT_EQ(body_of(me("Bearer x.y.z")).at("error").at("code"), "token_invalid");
  f.sessions.remove(std::string(created.at("user").at("id").as_string()));
  EXPECT_EQ(body_of(me("Bearer " + token)).at("error").at("code"), "session_not_found");
  f.clock.advance(std::chrono::hours(3));  // past the 2 h token lifetime
  EXPECT_EQ(body_of(me("Bearer " + token)).at("error").at("code"), "token_expired");
}

TEST(GatewayGuestRest, LimitsAnswerTheirStatus) {
  guests_fixture f;  // two live guests per owner
  EXPECT_EQ(call(f.api, make("POST", "/api/guest")).status, 201U);
  EXPECT_EQ(call(f.api, make("POST", "/api/guest")).status, 201U);
  const auto full = call(f.api, make("POST", "/api/guest"));
  EXPECT_EQ(full.status, 429U);
  EXPECT_EQ(body_of(full).at("error").at("code"), "too_many_guests");
  const auto wrong = call(f.api, make("GET", "/api/guest"));
  EXPECT_EQ(wrong.status, 405U);
  EXPECT_EQ(wrong.headers.get("allow"), "POST");
  EXPECT_EQ(call(f.api, make("GET", "/api/guest/nope")).status, 404U);
}

}  // namespace
}  // namespace hw::gateway

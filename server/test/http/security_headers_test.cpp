#include "http/security_headers.hpp"

#include <gtest/gtest.h>

#include <string>

namespace hw::http {
namespace {

constexpr std::string_view csp =
    "default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline'; img-src 'self' "
    "blob: data:; media-src 'self' blob:; connect-src 'self' ws: wss:; font-src 'self'; "
    "worker-src 'self' blob:; object-src 'none'; base-uri 'self'; form-action 'self'; "
    "frame-ancestors 'none'";

request with_origin(std::string_view origin) {
  request req;
  req.method = "GET";
  req.path = "/api/x";
  if (!origin.empty()) req.headers.add("Origin", origin);
  return req;
}

security_policy only(std::vector<std::string> origins) {
  security_policy p;
  p.allowed_origins = std::move(origins);
  return p;
}

TEST(SecurityHeaders, CspText) {
  EXPECT_EQ(content_security_policy(), csp);
}

TEST(SecurityHeaders, ExtraScriptSourcesGoToScriptSrcOnly) {
  const std::vector<std::string> hashes = {"'sha256-AAA='", "'sha256-BBB='"};
  std::string want(csp);
  want.replace(want.find("script-src 'self'"), 17, "script-src 'self' 'sha256-AAA=' 'sha256-BBB='");
  EXPECT_EQ(content_security_policy(hashes), want);
  EXPECT_EQ(content_security_policy({}), csp);
  // Scripts never get 'unsafe-inline' (styles do, for the export's inline style attributes).
  const std::string p = content_security_policy(hashes);
  const std::size_t at = p.find("script-src");
  const std::string script_src = p.substr(at, p.find(';', at) - at);
  EXPECT_EQ(script_src, "script-src 'self' 'sha256-AAA=' 'sha256-BBB='");
}

TEST(SecurityHeaders, AddsAllHeaders) {
  response res;
  add_security_headers(res, security_policy{});
  EXPECT_EQ(res.headers.get("Content-Security-Policy"), csp);
  EXPECT_EQ(res.headers.get("X-Content-Type-Options"), "nosniff");
  EXPECT_EQ(res.headers.get("Referrer-Policy"), "no-referrer");
  EXPECT_EQ(res.headers.get("X-Frame-Options"), "DENY");
  EXPECT_EQ(res.headers.get("Permissions-Policy"),
            "camera=(self), microphone=(self), display-capture=(self), geolocation=(), "
            "payment=(), usb=(), interest-cohort=()");
  EXPECT_EQ(res.headers.get("Cross-Origin-Opener-Policy"), "same-origin");
  EXPECT_FALSE(res.headers.has("Strict-Transport-Security"));
  EXPECT_EQ(res.headers.fields().size(), 6U);
}

TEST(SecurityHeaders, HstsOnlyOverTls) {
  response res;
  security_policy p;
  p.tls = true;
  add_security_headers(res, p);
  EXPECT_EQ(res.headers.get("Strict-Transport-Security"), "max-age=31536000; includeSubDomains");
}

TEST(SecurityHeaders, KeepsHeadersTheResponseSet) {
  response res;
  res.headers.set("Content-Security-Policy", "default-src 'none'");
  res.headers.set("x-frame-options", "SAMEORIGIN");
  res.headers.set("Content-Type", "text/plain");
  add_security_headers(res, security_policy{});
  EXPECT_EQ(res.headers.get("content-security-policy"), "default-src 'none'");
  EXPECT_EQ(res.headers.get("X-Frame-Options"), "SAMEORIGIN");
  EXPECT_EQ(res.headers.get("content-type"), "text/plain");
  EXPECT_EQ(res.headers.get("x-content-type-options"), "nosniff");
  add_security_headers(res, security_policy{});  // idempotent
  EXPECT_EQ(res.headers.fields().size(), 7U);
}

TEST(OriginAllowed, ExactList) {
  const auto p = only({"https://a.example", "http://localhost:3000"});
  EXPECT_TRUE(origin_allowed("https://a.example", p));
  EXPECT_TRUE(origin_allowed("HTTPS://A.EXAMPLE", p));
  EXPECT_TRUE(origin_allowed("http://localhost:3000", p));
  EXPECT_FALSE(origin_allowed("https://a.example.evil", p));
  EXPECT_FALSE(origin_allowed("https://b.example", p));
  EXPECT_FALSE(origin_allowed("http://a.example", p));
  EXPECT_FALSE(origin_allowed("null", p));
  EXPECT_FALSE(origin_allowed("", p));
}

TEST(OriginAllowed, EmptyListMeansSameOriginOnly) {
  EXPECT_FALSE(origin_allowed("https://a.example", security_policy{}));
}

TEST(OriginAllowed, WildcardOnlyWhenAlone) {
  EXPECT_TRUE(origin_allowed("https://anything.example", only({"*"})));
  EXPECT_FALSE(origin_allowed("", only({"*"})));
  const auto mixed = only({"*", "https://a.example"});
  EXPECT_FALSE(origin_allowed("https://b.example", mixed));
  EXPECT_FALSE(origin_allowed("*", mixed));
  EXPECT_TRUE(origin_allowed("https://a.example", mixed));
}

TEST(AddCorsHeaders, EchoesAnAllowedOrigin) {
  response res;
  add_cors_headers(with_origin("https://a.example"), res, only({"https://a.example"}));
  EXPECT_EQ(res.headers.get("Access-Control-Allow-Origin"), "https://a.example");
  EXPECT_EQ(res.headers.get("Access-Control-Allow-Credentials"), "true");
  EXPECT_EQ(res.headers.get("Access-Control-Expose-Headers"),
            "Retry-After, Content-Disposition, Content-Range, Accept-Ranges, ETag");
  EXPECT_EQ(res.headers.get("Vary"), "Origin");
}

TEST(AddCorsHeaders, WildcardSendsStarWithoutCredentials) {
  response res;
  add_cors_headers(with_origin("https://x.example"), res, only({"*"}));
  EXPECT_EQ(res.headers.get("Access-Control-Allow-Origin"), "*");
  EXPECT_FALSE(res.headers.has("Access-Control-Allow-Credentials"));
  EXPECT_EQ(res.headers.get("Access-Control-Expose-Headers"),
            "Retry-After, Content-Disposition, Content-Range, Accept-Ranges, ETag");
}

TEST(AddCorsHeaders, RefusedOriginGetsNoAllowHeaders) {
  response res;
  add_cors_headers(with_origin("https://evil.example"), res, only({"https://a.example"}));
  EXPECT_FALSE(res.headers.has("Access-Control-Allow-Origin"));
  EXPECT_FALSE(res.headers.has("Access-Control-Allow-Credentials"));
  EXPECT_EQ(res.headers.get("Vary"), "Origin");  // still origin-dependent for caches

  response same;
  add_cors_headers(with_origin(""), same, security_policy{});
  EXPECT_TRUE(same.headers.fields().empty());
}

TEST(AddCorsHeaders, MergesWithAnExistingVary) {
  response res;
  res.headers.set("Vary", "Accept-Encoding");
  add_cors_headers(with_origin("https://a.example"), res, only({"https://a.example"}));
  EXPECT_EQ(res.headers.get("Vary"), "Accept-Encoding, Origin");
  add_cors_headers(with_origin("https://a.example"), res, only({"https://a.example"}));
  EXPECT_EQ(res.headers.get("Vary"), "Accept-Encoding, Origin");

  response star;
  star.headers.set("Vary", "*");
  add_cors_headers(with_origin("https://a.example"), star, only({"https://a.example"}));
  EXPECT_EQ(star.headers.get("Vary"), "*");
}

TEST(Preflight, AllowedOrigin) {
  request req = with_origin("https://a.example");
  req.method = "OPTIONS";
  req.headers.add("Access-Control-Request-Method", "POST");
  const response res = preflight(req, only({"https://a.example"}));
  EXPECT_EQ(res.status, 204U);
  EXPECT_TRUE(res.body_view().empty());
  EXPECT_EQ(res.headers.get("Access-Control-Allow-Origin"), "https://a.example");
  EXPECT_EQ(res.headers.get("Access-Control-Allow-Credentials"), "true");
  EXPECT_EQ(res.headers.get("Access-Control-Allow-Methods"),
            "GET, POST, PUT, PATCH, DELETE, OPTIONS");
  EXPECT_EQ(res.headers.get("Access-Control-Allow-Headers"),
            "Authorization, Content-Type, X-File-Name, X-Voice-Duration, Range, If-Range, "
            "If-None-Match");
  EXPECT_EQ(res.headers.get("Access-Control-Max-Age"), "600");
  EXPECT_EQ(res.headers.get("Vary"), "Origin");
}

TEST(Preflight, Wildcard) {
  request req = with_origin("https://x.example");
  req.method = "OPTIONS";
  const response res = preflight(req, only({"*"}));
  EXPECT_EQ(res.status, 204U);
  EXPECT_EQ(res.headers.get("Access-Control-Allow-Origin"), "*");
  EXPECT_FALSE(res.headers.has("Access-Control-Allow-Credentials"));
}

TEST(Preflight, RefusedOriginIs403) {
  for (const auto& policy : {security_policy{}, only({"https://a.example"})}) {
    request req = with_origin("https://evil.example");
    req.method = "OPTIONS";
    const response res = preflight(req, policy);
    EXPECT_EQ(res.status, 403U);
    EXPECT_FALSE(res.headers.has("Access-Control-Allow-Origin"));
    EXPECT_NE(std::string(res.body_view()).find("\"code\":\"origin_not_allowed\""),
              std::string::npos);
  }
  request no_origin = with_origin("");
  EXPECT_EQ(preflight(no_origin, only({"*"})).status, 403U);
}

TEST(SecurityHeaders, HstsFollowsTheClientSchemeNotTheListener) {
  // TLS ended at a trusted proxy (X-Forwarded-Proto: https): HSTS on a plain listener.
  response behind_proxy;
  add_security_headers(behind_proxy, security_policy{}, true);
  EXPECT_EQ(behind_proxy.headers.get("strict-transport-security"),
            "max-age=31536000; includeSubDomains");
  response plain;
  add_security_headers(plain, security_policy{}, false);
  EXPECT_FALSE(plain.headers.has("strict-transport-security"));
}

}  // namespace
}  // namespace hw::http

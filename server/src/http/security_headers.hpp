#pragma once
// Security headers added to every response, and CORS for /api/*. Pure.

#include <span>
#include <string>
#include <vector>

#include "http/message.hpp"

namespace hw::http {

struct security_policy {
  bool tls = false;  ///< HSTS is sent only over TLS (browsers ignore it over plain HTTP).
  /// Origins allowed to call /api/* cross-origin ("https://a.example"). Empty = same origin only.
  /// The single entry "*" allows any origin (conformance mode).
  std::vector<std::string> allowed_origins;
};

/// The Content-Security-Policy Hallway serves: self only, blob:/data: for media previews and
/// calls, ws:/wss: for the realtime channel, no framing. `extra_script_sources` (e.g. the
/// "'sha256-...'" hashes of a page's inline scripts, http/inline_scripts) are appended to
/// script-src; nothing else ever is ('unsafe-inline' never: callers pass hashes only).
std::string content_security_policy(std::span<const std::string> extra_script_sources = {});

/// Adds CSP (the default one: a page that needs hashes sets its own first), nosniff,
/// Referrer-Policy, X-Frame-Options, Permissions-Policy and, when the client's scheme is https
/// (`secure`: TLS here, or X-Forwarded-Proto from a trusted proxy), HSTS, unless the response
/// already set them.
void add_security_headers(response& res, const security_policy& policy, bool secure);
/// The same with `secure` = policy.tls (the listener's own TLS).
void add_security_headers(response& res, const security_policy& policy);

/// True when `origin` may make cross-origin calls.
bool origin_allowed(std::string_view origin, const security_policy& policy);

/// For /api/* responses: when the request's Origin is allowed, adds Access-Control-Allow-Origin
/// (the origin itself), Vary: Origin and exposed headers.
void add_cors_headers(const request& req, response& res, const security_policy& policy);

/// Answers a CORS preflight (OPTIONS with Access-Control-Request-Method): 204 with the allowed
/// methods/headers when the origin is allowed, 403 otherwise.
response preflight(const request& req, const security_policy& policy);

}  // namespace hw::http

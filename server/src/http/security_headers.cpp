#include "http/security_headers.hpp"

#include <string_view>

namespace hw::http {

namespace {

void set_default(response& res, std::string_view name, std::string_view value) {
  if (!res.headers.has(name)) res.headers.set(name, value);
}

bool wildcard(const security_policy& policy) {
  return policy.allowed_origins.size() == 1 && policy.allowed_origins.front() == "*";
}

// Adds `token` to Vary without dropping what other layers put there (e.g. Accept-Encoding).
void append_vary(response& res, std::string_view token) {
  const std::string_view current = res.headers.get("vary");
  std::string_view rest = current;
  while (!rest.empty()) {
    const std::size_t comma = rest.find(',');
    std::string_view item = rest.substr(0, comma);
    rest = comma == std::string_view::npos ? std::string_view{} : rest.substr(comma + 1);
    while (!item.empty() && item.front() == ' ')
      item.remove_prefix(1);
    while (!item.empty() && item.back() == ' ')
      item.remove_suffix(1);
    if (item == "*" || iequals(item, token)) return;
  }
  if (current.empty()) {
    res.headers.set("vary", token);
  } else {
    std::string merged(current);
    merged += ", ";
    merged += token;
    res.headers.set("vary", merged);
  }
}

// The allow-origin part shared by actual responses and preflights. With "*" the browser refuses
// credentials anyway, so Allow-Credentials is only sent alongside an echoed origin.
void add_allow_origin(response& res, std::string_view origin, const security_policy& policy) {
  if (wildcard(policy)) {
    res.headers.set("access-control-allow-origin", "*");
  } else {
    res.headers.set("access-control-allow-origin", origin);
    res.headers.set("access-control-allow-credentials", "true");
  }
  append_vary(res, "Origin");
}

}  // namespace

std::string content_security_policy(std::span<const std::string> extra_script_sources) {
  std::string csp = "default-src 'self'; script-src 'self'";
  for (const auto& source : extra_script_sources) {
    csp += ' ';
    csp += source;
  }
  csp +=
      "; style-src 'self' 'unsafe-inline'; img-src 'self' blob: data:; media-src 'self' blob:; "
      "connect-src 'self' ws: wss:; font-src 'self'; worker-src 'self' blob:; "
      "object-src 'none'; base-uri 'self'; form-action 'self'; frame-ancestors 'none'";
  return csp;
}

void add_security_headers(response& res, const security_policy& policy) {
  add_security_headers(res, policy, policy.tls);
}

void add_security_headers(response& res, const security_policy& /*policy*/, bool secure) {
  static const std::string default_csp = content_security_policy();
  set_default(res, "content-security-policy", default_csp);
  set_default(res, "x-content-type-options", "nosniff");
  set_default(res, "referrer-policy", "no-referrer");
  set_default(res, "x-frame-options", "DENY");
  set_default(res, "permissions-policy",
              "camera=(self), microphone=(self), display-capture=(self), geolocation=(), "
              "payment=(), usb=(), interest-cohort=()");
  set_default(res, "cross-origin-opener-policy", "same-origin");
  if (secure) set_default(res, "strict-transport-security", "max-age=31536000; includeSubDomains");
}

bool origin_allowed(std::string_view origin, const security_policy& policy) {
  if (origin.empty()) return false;
  if (wildcard(policy)) return true;
  for (const auto& allowed : policy.allowed_origins) {
    // Scheme and host are case-insensitive; browsers serialise them lower-case anyway.
    if (allowed != "*" && iequals(allowed, origin)) return true;
  }
  return false;
}

void add_cors_headers(const request& req, response& res, const security_policy& policy) {
  const std::string_view origin = req.headers.get("origin");
  if (origin_allowed(origin, policy)) {
    add_allow_origin(res, origin, policy);
    res.headers.set("access-control-expose-headers",
                    "Retry-After, Content-Disposition, Content-Range, Accept-Ranges, ETag");
  } else if (!policy.allowed_origins.empty() && !wildcard(policy)) {
    // The answer depends on Origin even when it is refused: a shared cache must not hand this
    // header-less response to an allowed origin (or the reverse).
    append_vary(res, "Origin");
  }
}

response preflight(const request& req, const security_policy& policy) {
  const std::string_view origin = req.headers.get("origin");
  if (!origin_allowed(origin, policy)) {
    response res = make_error(core::wire_error::origin_not_allowed);
    append_vary(res, "Origin");
    return res;
  }
  response res;
  res.status = 204;
  add_allow_origin(res, origin, policy);
  res.headers.set("access-control-allow-methods", "GET, POST, PUT, PATCH, DELETE, OPTIONS");
  res.headers.set("access-control-allow-headers",
                  "Authorization, Content-Type, X-File-Name, X-Voice-Duration, Range, If-Range, "
                  "If-None-Match");
  res.headers.set("access-control-max-age", "600");
  return res;
}

}  // namespace hw::http

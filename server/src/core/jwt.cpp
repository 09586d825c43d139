#include "core/jwt.hpp"

#include <openssl/crypto.h>

#include <array>
#include <boost/json/parse.hpp>
#include <boost/json/serialize.hpp>
#include <boost/json/value.hpp>

#include "core/hmac.hpp"

namespace hw::core::jwt {

namespace json = boost::json;

namespace {

constexpr std::string_view alphabet =
    "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";

const json::object* parse_object(std::string_view b64, json::value& storage) {
  auto raw = base64url_decode(b64);
  if (!raw) return nullptr;
  boost::system::error_code ec;
  storage = json::parse(*raw, ec);
  if (ec || !storage.is_object()) return nullptr;
  return &storage.as_object();
}

bool get_string(const json::object& o, std::string_view k, std::string& out) {
  const auto* v = o.if_contains(k);
  if (v == nullptr || !v->is_string()) return false;
  out = std::string(v->as_string());
  return true;
}

bool get_int(const json::object& o, std::string_view k, std::int64_t& out) {
  const auto* v = o.if_contains(k);
  if (v == nullptr) return false;
  if (v->is_int64()) {
    out = v->as_int64();
    return true;
  }
  if (v->is_uint64() && v->as_uint64() <= static_cast<std::uint64_t>(INT64_MAX)) {
    out = static_cast<std::int64_t>(v->as_uint64());
    return true;
  }
  return false;
}

}  // namespace

std::string base64url_encode(std::string_view data) {
  std::string out;
  out.reserve((data.size() + 2) / 3 * 4);
  const auto* p = reinterpret_cast<const unsigned char*>(data.data());
  std::size_t i = 0;
  for (; i + 3 <= data.size(); i += 3) {
    const std::uint32_t v = (p[i] << 16U) | (p[i + 1] << 8U) | p[i + 2];
    for (int s = 18; s >= 0; s -= 6)
      out += alphabet[(v >> static_cast<unsigned>(s)) & 63U];
  }
  const std::size_t rest = data.size() - i;
  if (rest == 1) {
    const std::uint32_t v = p[i] << 16U;
    out += alphabet[(v >> 18U) & 63U];
    out += alphabet[(v >> 12U) & 63U];
  } else if (rest == 2) {
    const std::uint32_t v = (p[i] << 16U) | (p[i + 1] << 8U);
    out += alphabet[(v >> 18U) & 63U];
    out += alphabet[(v >> 12U) & 63U];
    out += alphabet[(v >> 6U) & 63U];
  }
  return out;
}

std::optional<std::string> base64url_decode(std::string_view s) {
  static const auto reverse = [] {
    std::array<int, 256> r{};
    r.fill(-1);
    for (std::size_t i = 0; i < alphabet.size(); ++i) {
      r[static_cast<unsigned char>(alphabet[i])] = static_cast<int>(i);
    }
    return r;
  }();
  if (s.size() % 4 == 1) return std::nullopt;
  std::string out;
  out.reserve(s.size() * 3 / 4);
  std::uint32_t acc = 0;
  int bits = 0;
  for (char c : s) {
    const int v = reverse[static_cast<unsigned char>(c)];
    if (v < 0) return std::nullopt;
    acc = (acc << 6U) | static_cast<std::uint32_t>(v);
    bits += 6;
    if (bits >= 8) {
      bits -= 8;
      out += static_cast<char>((acc >> static_cast<unsigned>(bits)) & 0xFFU);
    }
  }
  // Leftover bits must be zero (canonical encoding): otherwise two strings decode the same.
  if (bits > 0 && (acc & ((1U << static_cast<unsigned>(bits)) - 1U)) != 0) return std::nullopt;
  return out;
}

std::string sign(const claims& c, std::string_view key) {
  static const std::string header = base64url_encode(R"({"alg":"HS256","typ":"JWT"})");
  json::object payload{
      {"sub", c.sub}, {"iss", c.iss}, {"aud", c.aud}, {"iat", c.iat}, {"exp", c.exp}};
  if (!c.jti.empty()) payload["jti"] = c.jti;
  std::string token = header + "." + base64url_encode(json::serialize(payload));
  const std::string sig = hmac_sha256(key, token);
  token += ".";
  token += base64url_encode(sig);
  return token;
}

error verify(std::string_view token, std::string_view key, std::string_view issuer,
             std::string_view audience, std::int64_t now, claims& out, std::int64_t leeway_s) {
  if (token.size() > 4096) return error::malformed;
  const auto d1 = token.find('.');
  if (d1 == std::string_view::npos) return error::malformed;
  const auto d2 = token.find('.', d1 + 1);
  if (d2 == std::string_view::npos || token.find('.', d2 + 1) != std::string_view::npos) {
    return error::malformed;
  }
  json::value hv;
  const auto* header = parse_object(token.substr(0, d1), hv);
  if (header == nullptr) return error::malformed;
  std::string alg;
  if (!get_string(*header, "alg", alg) || alg != "HS256") return error::bad_algorithm;

  const auto sig = base64url_decode(token.substr(d2 + 1));
  const std::string expected = hmac_sha256(key, token.substr(0, d2));
  if (!sig || sig->size() != expected.size() ||
      CRYPTO_memcmp(sig->data(), expected.data(), expected.size()) != 0) {
    return error::bad_signature;
  }
  json::value pv;
  const auto* payload = parse_object(token.substr(d1 + 1, d2 - d1 - 1), pv);
  if (payload == nullptr) return error::malformed;
  claims c;
  if (!get_string(*payload, "sub", c.sub) || c.sub.empty() || !get_int(*payload, "exp", c.exp)) {
    return error::malformed;
  }
  get_string(*payload, "iss", c.iss);
  get_string(*payload, "aud", c.aud);
  get_string(*payload, "jti", c.jti);
  get_int(*payload, "iat", c.iat);
  if (c.iss != issuer) return error::wrong_issuer;
  if (c.aud != audience) return error::wrong_audience;
  if (now >= c.exp + leeway_s) return error::expired;
  if (c.iat > now + leeway_s) return error::not_yet_valid;
  out = std::move(c);
  return error::none;
}

std::string_view to_string(error e) {
  switch (e) {
    case error::none:
      return "none";
    case error::malformed:
      return "malformed";
    case error::bad_algorithm:
      return "bad_algorithm";
    case error::bad_signature:
      return "bad_signature";
    case error::wrong_issuer:
      return "wrong_issuer";
    case error::wrong_audience:
      return "wrong_audience";
    case error::expired:
      return "expired";
    case error::not_yet_valid:
      return "not_yet_valid";
  }
  return "unknown";
}

}  // namespace hw::core::jwt

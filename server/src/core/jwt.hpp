#pragma once
// JSON Web Tokens, HS256 only (RFC 7519 + RFC 7515). Guest tokens are signed and verified by
// this server alone, so one symmetric algorithm is all that is needed; every other "alg"
// (including "none") is refused, which closes the classic algorithm-confusion holes.

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace hw::core::jwt {

struct claims {
  std::string sub;       ///< subject: the guest id
  std::string iss;       ///< issuer
  std::string aud;       ///< audience
  std::int64_t iat = 0;  ///< issued at, unix seconds
  std::int64_t exp = 0;  ///< expires at, unix seconds
  std::string jti;       ///< token id (unique per token)
};

enum class error : std::uint8_t {
  none,
  malformed,      ///< not three base64url parts, bad JSON, missing or mistyped claims
  bad_algorithm,  ///< header alg is not HS256
  bad_signature,
  wrong_issuer,
  wrong_audience,
  expired,        ///< now >= exp (after leeway)
  not_yet_valid,  ///< iat in the future beyond leeway
};

/// Signs `c` with `key`.
std::string sign(const claims& c, std::string_view key);

/// Verifies signature, algorithm, issuer, audience and time (`now` in unix seconds, with
/// `leeway_s` of clock skew tolerated). Fills `out` on success.
error verify(std::string_view token, std::string_view key, std::string_view issuer,
             std::string_view audience, std::int64_t now, claims& out, std::int64_t leeway_s = 5);

/// Stable machine-readable name ("expired", "bad_signature", ...).
std::string_view to_string(error e);

/// RFC 4648 base64url without padding.
std::string base64url_encode(std::string_view data);
std::optional<std::string> base64url_decode(std::string_view s);

}  // namespace hw::core::jwt

#include "core/jwt.hpp"

#include <gtest/gtest.h>

namespace hw::core::jwt {
namespace {

const std::string key = "0123456789abcdef0123456789abcdef";

claims sample() {
  claims c;
  c.sub = "guest-1";
  c.iss = "hallway";
  c.aud = "hallway-web";
  c.iat = 1'000;
  c.exp = 8'200;
  c.jti = "t1";
  return c;
}

TEST(Jwt, RoundTrip) {
  const auto token = sign(sample(), key);
  claims out;
  ASSERT_EQ(verify(token, key, "hallway", "hallway-web", 2'000, out), error::none);
  EXPECT_EQ(out.sub, "guest-1");
  EXPECT_EQ(out.exp, 8'200);
  EXPECT_EQ(out.jti, "t1");
}

TEST(Jwt, KnownVectorFromRfc7515StyleHeader) {
  // The header is the standard {"alg":"HS256","typ":"JWT"}.
  const auto token = sign(sample(), key);
  EXPECT_EQ(token.substr(0, token.find('.')), "eyJhbGciOiJIUzI1NiIsInR5cCI6IkpXVCJ9");
}

TEST(Jwt, RefusesTamperingForeignIssuerAudienceAndExpiry) {
  const auto token = sign(sample(), key);
  claims out;
  EXPECT_EQ(
      verify(token, "another-key-another-key-another!!", "hallway", "hallway-web", 2'000, out),
      error::bad_signature);
  std::string tampered = token;
  tampered[tampered.find('.') + 5] ^= 1;  // flip a payload bit
  EXPECT_NE(verify(tampered, key, "hallway", "hallway-web", 2'000, out), error::none);
  EXPECT_EQ(verify(token, key, "evil", "hallway-web", 2'000, out), error::wrong_issuer);
  EXPECT_EQ(verify(token, key, "hallway", "other", 2'000, out), error::wrong_audience);
  EXPECT_EQ(verify(token, key, "hallway", "hallway-web", 8'205, out), error::expired);
  EXPECT_EQ(verify(token, key, "hallway", "hallway-web", 8'204, out), error::none);  // leeway
  EXPECT_EQ(verify(token, key, "hallway", "hallway-web", 900, out), error::not_yet_valid);
}

TEST(Jwt, RefusesAlgNoneAndGarbage) {
  const std::string none_header = base64url_encode(R"({"alg":"none","typ":"JWT"})");
  const auto token = sign(sample(), key);
  const auto body = token.substr(token.find('.'), token.rfind('.') - token.find('.'));
  claims out;
  EXPECT_EQ(verify(none_header + body + ".", key, "hallway", "hallway-web", 2'000, out),
            error::bad_algorithm);
  for (const char* bad : {"", "a", "a.b", "a.b.c.d", "!!.!!.!!", "e30.e30.e30"}) {
    EXPECT_NE(verify(bad, key, "hallway", "hallway-web", 2'000, out), error::none) << bad;
  }
}

TEST(Jwt, Base64Url) {
  EXPECT_EQ(base64url_encode(""), "");
  EXPECT_EQ(base64url_encode("f"), "Zg");
  EXPECT_EQ(base64url_encode("fo"), "Zm8");
  EXPECT_EQ(base64url_encode("foo"), "Zm9v");
  EXPECT_EQ(base64url_encode("\xfb\xff"), "-_8");
  EXPECT_EQ(base64url_decode("-_8"), std::string("\xfb\xff"));
  EXPECT_FALSE(base64url_decode("Zg="));  // padding is not base64url
  EXPECT_FALSE(base64url_decode("Z"));    // impossible length
  EXPECT_FALSE(base64url_decode("Zh"));   // non-zero leftover bits
}

}  // namespace
}  // namespace hw::core::jwt

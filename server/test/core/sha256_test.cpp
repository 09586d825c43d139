#include "core/sha256.hpp"

#include <gtest/gtest.h>

#include <string>

namespace hw::core {
namespace {

TEST(CoreSha256, KnownDigestsInBase64) {
  // FIPS 180-2 vectors, and the CSP hash of an empty script that browsers report.
  EXPECT_EQ(base64_encode(sha256("")), "47DEQpj8HBSa+/TImW+5JCeuQeRkm5NMpJWZG3hSuFU=");
  EXPECT_EQ(base64_encode(sha256("abc")), "ungWv48Bz+pBQUDeXa4iI7ADYaOWF3qctBD/YfIAFa0=");
  EXPECT_EQ(sha256(std::string(1'000'000, 'a')).size(), 32U);
  EXPECT_EQ(base64_encode(sha256(std::string(1'000'000, 'a'))),
            "zcduXJkU+5KBocfihNc+Z/GAmkiklyAOBG05zMcRLNA=");
}

TEST(CoreBase64, Rfc4648Vectors) {
  EXPECT_EQ(base64_encode(""), "");
  EXPECT_EQ(base64_encode("f"), "Zg==");
  EXPECT_EQ(base64_encode("fo"), "Zm8=");
  EXPECT_EQ(base64_encode("foo"), "Zm9v");
  EXPECT_EQ(base64_encode("foob"), "Zm9vYg==");
  EXPECT_EQ(base64_encode("fooba"), "Zm9vYmE=");
  EXPECT_EQ(base64_encode("foobar"), "Zm9vYmFy");
  EXPECT_EQ(base64_encode(std::string("\xFB\xFF\xBF", 3)), "+/+/");  // the two last letters
}

}  // namespace
}  // namespace hw::core

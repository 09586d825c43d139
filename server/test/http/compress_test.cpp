#include "http/compress.hpp"

#include <gtest/gtest.h>
#include <zlib.h>

#include <optional>
#include <random>
#include <string>

#include "support/gunzip.hpp"

namespace hw::http {
namespace {

using test::gunzip;

TEST(Gzip, RoundTripsText) {
  std::string text;
  for (int i = 0; i < 1000; ++i)
    text += "Hallway says hello, line " + std::to_string(i) + "\n";
  const auto z = gzip(text);
  ASSERT_TRUE(z);
  EXPECT_LT(z->size(), text.size() / 4);
  ASSERT_GE(z->size(), 10U);
  EXPECT_EQ(static_cast<unsigned char>((*z)[0]), 0x1fU);  // gzip magic
  EXPECT_EQ(static_cast<unsigned char>((*z)[1]), 0x8bU);
  EXPECT_EQ(gunzip(*z), text);
}

TEST(Gzip, RoundTripsEmptyAndBinary) {
  const auto empty = gzip("");
  ASSERT_TRUE(empty);
  EXPECT_EQ(gunzip(*empty), "");

  std::mt19937 rng(42);
  std::string noise(std::size_t{300} * 1024, '\0');
  for (char& c : noise)
    c = static_cast<char>(rng());
  const auto z = gzip(noise);
  ASSERT_TRUE(z);  // incompressible input grows a little but still works
  EXPECT_EQ(gunzip(*z), noise);
}

TEST(AcceptsEncoding, PlainLists) {
  EXPECT_TRUE(accepts_encoding("gzip", "gzip"));
  EXPECT_TRUE(accepts_encoding("gzip, deflate, br", "br"));
  EXPECT_TRUE(accepts_encoding("deflate,gzip", "gzip"));
  EXPECT_TRUE(accepts_encoding("GZIP", "gzip"));
  EXPECT_FALSE(accepts_encoding("deflate", "gzip"));
  EXPECT_FALSE(accepts_encoding("", "gzip"));
  EXPECT_FALSE(accepts_encoding("gzipx", "gzip"));
  EXPECT_FALSE(accepts_encoding("identity", "br"));
}

TEST(AcceptsEncoding, Qvalues) {
  EXPECT_TRUE(accepts_encoding("br;q=1.0, gzip;q=0.8", "gzip"));
  EXPECT_TRUE(accepts_encoding("gzip;q=0.001", "gzip"));
  EXPECT_TRUE(accepts_encoding("gzip ; Q=0.5", "gzip"));
  EXPECT_FALSE(accepts_encoding("gzip;q=0", "gzip"));
  EXPECT_FALSE(accepts_encoding("gzip;q=0.0", "gzip"));
  EXPECT_FALSE(accepts_encoding("gzip;q=0.000", "gzip"));
  EXPECT_FALSE(accepts_encoding("br, gzip;q=0", "gzip"));
  EXPECT_TRUE(accepts_encoding("br, gzip;q=0", "br"));
  EXPECT_FALSE(accepts_encoding("gzip;q=abc", "gzip"));  // garbage never enables a coding
}

TEST(AcceptsEncoding, WildcardAndAliases) {
  EXPECT_TRUE(accepts_encoding("*", "br"));
  EXPECT_FALSE(accepts_encoding("*;q=0", "gzip"));
  EXPECT_FALSE(accepts_encoding("*, gzip;q=0", "gzip"));  // explicit entry beats "*"
  EXPECT_TRUE(accepts_encoding("*;q=0, gzip", "gzip"));
  EXPECT_TRUE(accepts_encoding("x-gzip", "gzip"));
  EXPECT_FALSE(accepts_encoding("x-gzip", "br"));
}

}  // namespace
}  // namespace hw::http

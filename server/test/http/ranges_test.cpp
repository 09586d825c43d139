#include "http/ranges.hpp"

#include <gtest/gtest.h>

#include <algorithm>
#include <random>
#include <string>
#include <utility>
#include <vector>

namespace hw::http {
namespace {

const entity file{1000, "\"abc123\"", "video/mp4"};

request get(std::vector<std::pair<std::string, std::string>> headers = {},
            std::string method = "GET") {
  request r;
  r.method = std::move(method);
  r.target = r.path = "/api/files/x";
  for (const auto& [name, value] : headers)
    r.headers.add(name, value);
  return r;
}

request ranged(const std::string& range) {
  return get({{"Range", range}});
}

void expect_whole(const entity_answer& a, const entity& e = file) {
  EXPECT_EQ(a.res.status, 200U);
  EXPECT_EQ(a.offset, 0U);
  EXPECT_EQ(a.length, e.size);
  EXPECT_EQ(a.res.headers.get("content-type"), e.content_type);
  EXPECT_FALSE(a.res.headers.has("content-range"));
}

void expect_part(const entity_answer& a, std::uint64_t first, std::uint64_t last,
                 const entity& e = file) {
  EXPECT_EQ(a.res.status, 206U);
  EXPECT_EQ(a.offset, first);
  EXPECT_EQ(a.length, last - first + 1);
  EXPECT_EQ(
      a.res.headers.get("content-range"),
      "bytes " + std::to_string(first) + "-" + std::to_string(last) + "/" + std::to_string(e.size));
  EXPECT_EQ(a.res.headers.get("content-type"), e.content_type);
}

void expect_unsatisfiable(const entity_answer& a, const entity& e = file) {
  EXPECT_EQ(a.res.status, 416U);
  EXPECT_EQ(a.length, 0U);
  EXPECT_EQ(a.res.headers.get("content-range"), "bytes */" + std::to_string(e.size));
}

TEST(HttpRanges, WholeEntityWithValidators) {
  const auto a = answer_entity(get(), file);
  expect_whole(a);
  EXPECT_EQ(a.res.headers.get("etag"), "\"abc123\"");
  EXPECT_EQ(a.res.headers.get("accept-ranges"), "bytes");
  EXPECT_FALSE(a.res.head_only);
  EXPECT_TRUE(a.res.body.empty());
}

TEST(HttpRanges, HeadAnnouncesTheWholeEntityAndIgnoresRange) {
  const auto a = answer_entity(get({{"Range", "bytes=0-9"}}, "HEAD"), file);
  expect_whole(a);
  EXPECT_TRUE(a.res.head_only);
  EXPECT_EQ(a.res.headers.get("accept-ranges"), "bytes");
}

TEST(HttpRanges, SingleRanges) {
  expect_part(answer_entity(ranged("bytes=0-0"), file), 0, 0);
  expect_part(answer_entity(ranged("bytes=0-99"), file), 0, 99);
  expect_part(answer_entity(ranged("bytes=500-"), file), 500, 999);
  expect_part(answer_entity(ranged("bytes=999-"), file), 999, 999);
  expect_part(answer_entity(ranged("bytes=999-999"), file), 999, 999);
  expect_part(answer_entity(ranged("bytes=0-"), file), 0, 999);
  expect_part(answer_entity(ranged("bytes=-1"), file), 999, 999);
  expect_part(answer_entity(ranged("bytes=-100"), file), 900, 999);
  expect_part(answer_entity(ranged("bytes=-1000"), file), 0, 999);
  // Clamped to the size.
  expect_part(answer_entity(ranged("bytes=900-5000"), file), 900, 999);
  expect_part(answer_entity(ranged("bytes=-5000"), file), 0, 999);
  // The unit is case-insensitive; white space around the range and empty list elements are
  // allowed.
  expect_part(answer_entity(ranged("Bytes=1-2"), file), 1, 2);
  expect_part(answer_entity(ranged("BYTES=1-2"), file), 1, 2);
  expect_part(answer_entity(ranged("bytes= 1-2 "), file), 1, 2);
  expect_part(answer_entity(ranged("bytes=\t1-2"), file), 1, 2);
  expect_part(answer_entity(ranged("bytes=,1-2,"), file), 1, 2);
  expect_part(answer_entity(ranged("bytes=, ,1-2, ,"), file), 1, 2);
  // Leading zeros are digits like any other.
  expect_part(answer_entity(ranged("bytes=0001-0002"), file), 1, 2);
}

TEST(HttpRanges, HugeNumbersDoNotOverflow) {
  const std::string huge = "99999999999999999999999999999999999999";  // > 2^64
  expect_part(answer_entity(ranged("bytes=0-" + huge), file), 0, 999);
  expect_part(answer_entity(ranged("bytes=10-18446744073709551615"), file), 10, 999);
  expect_part(answer_entity(ranged("bytes=10-18446744073709551616"), file), 10, 999);
  expect_part(answer_entity(ranged("bytes=-" + huge), file), 0, 999);
  expect_unsatisfiable(answer_entity(ranged("bytes=" + huge + "-"), file));
  expect_unsatisfiable(answer_entity(ranged("bytes=18446744073709551615-"), file));
  expect_unsatisfiable(answer_entity(ranged("bytes=" + huge + "-" + huge), file));
  // 2^64 + 5 must not wrap to 5.
  expect_unsatisfiable(answer_entity(ranged("bytes=18446744073709551621-"), file));
  // A huge entity.
  const entity big{UINT64_MAX, "\"b\"", "application/zip"};
  expect_part(answer_entity(ranged("bytes=-10"), big), UINT64_MAX - 10, UINT64_MAX - 1, big);
  expect_part(answer_entity(ranged("bytes=18446744073709551614-"), big), UINT64_MAX - 1,
              UINT64_MAX - 1, big);
  expect_part(answer_entity(ranged("bytes=0-" + huge), big), 0, UINT64_MAX - 1, big);
}

TEST(HttpRanges, UnsatisfiableRanges) {
  expect_unsatisfiable(answer_entity(ranged("bytes=1000-"), file));
  expect_unsatisfiable(answer_entity(ranged("bytes=1000-2000"), file));
  expect_unsatisfiable(answer_entity(ranged("bytes=5000-5000"), file));
  expect_unsatisfiable(answer_entity(ranged("bytes=-0"), file));
  expect_unsatisfiable(answer_entity(ranged("bytes=-000"), file));
  const auto a = answer_entity(ranged("bytes=1000-"), file);
  EXPECT_EQ(a.res.headers.get("etag"), "\"abc123\"");
  EXPECT_EQ(a.res.headers.get("accept-ranges"), "bytes");
  EXPECT_FALSE(a.res.headers.has("content-type"));
}

// RFC 9110 lets a server ignore a Range it does not like: these get the whole entity.
TEST(HttpRanges, MalformedOrMultipleRangesGetTheWholeEntity) {
  for (const char* range : {"bytes=5-3",
                            "bytes=0-0,1-1",
                            "bytes=0-1,5-6",
                            "bytes=0-1,-5",
                            "bytes=-5,0-1",
                            "bytes=0-1,garbage",
                            "bytes=",
                            "bytes",
                            "bytes=-",
                            "bytes=--5",
                            "bytes=5",
                            "bytes=a-b",
                            "bytes=1-b",
                            "bytes=+1-2",
                            "bytes=-+2",
                            "bytes=1 - 2",
                            "bytes=1- 2",
                            "bytes =1-2",
                            "bytes= ",
                            "items=0-1",
                            "bits=0-1",
                            "=0-1",
                            "0-1",
                            "bytes=1-2-3",
                            "bytes=0x10-0x20",
                            "bytes=1e3-",
                            "bytes=-1.5",
                            "bytes=\xFF-1",
                            "bytes=\0"
                            "0-1",
                            "bytes=1-2;x",
                            ","}) {
    SCOPED_TRACE(range);
    expect_whole(answer_entity(ranged(range), file));
  }
}

TEST(HttpRanges, IfNoneMatch) {
  for (const char* inm : {"\"abc123\"", "W/\"abc123\"", "*", "\"x\", \"abc123\"",
                          "\"x\",W/\"abc123\"", " \"abc123\" ", "\"a,b\", \"abc123\""}) {
    SCOPED_TRACE(inm);
    const auto a = answer_entity(get({{"If-None-Match", inm}}), file);
    EXPECT_EQ(a.res.status, 304U);
    EXPECT_EQ(a.length, 0U);
    EXPECT_EQ(a.res.headers.get("etag"), "\"abc123\"");
    EXPECT_FALSE(a.res.headers.has("content-type"));
  }
  for (const char* inm : {"\"abc\"", "\"abc1234\"", "abc123", "\"ABC123\"", "W/", "\"abc123",
                          "\"a,b\"", ",,,", "W/abc123"}) {
    SCOPED_TRACE(inm);
    expect_whole(answer_entity(get({{"If-None-Match", inm}}), file));
  }
  // A weak etag of ours matches too (weak comparison).
  const entity weak{10, "W/\"w\"", "text/plain"};
  EXPECT_EQ(answer_entity(get({{"If-None-Match", "\"w\""}}), weak).res.status, 304U);
  // 304 wins over Range, and applies to HEAD.
  EXPECT_EQ(answer_entity(get({{"If-None-Match", "*"}, {"Range", "bytes=0-1"}}), file).res.status,
            304U);
  const auto head = answer_entity(get({{"If-None-Match", "\"abc123\""}}, "HEAD"), file);
  EXPECT_EQ(head.res.status, 304U);
  EXPECT_FALSE(head.res.head_only);
}

TEST(HttpRanges, IfRange) {
  expect_part(answer_entity(get({{"Range", "bytes=0-9"}, {"If-Range", "\"abc123\""}}), file), 0, 9);
  expect_part(answer_entity(get({{"Range", "bytes=0-9"}, {"If-Range", " \"abc123\" "}}), file), 0,
              9);
  for (const char* if_range : {"\"other\"", "W/\"abc123\"", "Wed, 21 Oct 2015 07:28:00 GMT", "",
                               "abc123", "\"abc123\"x"}) {
    SCOPED_TRACE(if_range);
    expect_whole(answer_entity(get({{"Range", "bytes=0-9"}, {"If-Range", if_range}}), file));
  }
  // If-Range only decides about the range: a failed one does not make an unsatisfiable range
  // an error either.
  expect_whole(answer_entity(get({{"Range", "bytes=5000-"}, {"If-Range", "\"old\""}}), file));
  // Our own weak etag never satisfies If-Range (strong comparison).
  const entity weak{10, "W/\"w\"", "text/plain"};
  expect_whole(answer_entity(get({{"Range", "bytes=0-1"}, {"If-Range", "W/\"w\""}}), weak), weak);
  // Without Range, If-Range changes nothing.
  expect_whole(answer_entity(get({{"If-Range", "\"other\""}}), file));
}

TEST(HttpRanges, AnEmptyEntityIsAlwaysWhole) {
  const entity empty{0, "\"e\"", "text/plain"};
  for (const char* range : {"bytes=0-", "bytes=0-0", "bytes=-1", "bytes=-0", "bytes=5-"})
    expect_whole(answer_entity(ranged(range), empty), empty);
}

// Random Range headers against random sizes: the answer is always coherent.
TEST(HttpRanges, RandomRangesGiveCoherentAnswers) {
  std::mt19937_64 rng(2024);
  const std::vector<std::string> pieces{
      "bytes=", "-", ",", " ", "0", "1", "9", "42", "18446744073709551615", "99999999999999999999",
      "x",      ""};
  for (int round = 0; round < 20000; ++round) {
    std::string range = rng() % 8 != 0 ? "bytes=" : "";
    const int n = static_cast<int>(rng() % 6);
    for (int i = 0; i < n; ++i)
      range += pieces[rng() % pieces.size()];
    const entity e{rng() % 4 == 0 ? rng() : rng() % 2000, "\"t\"", "audio/ogg"};
    SCOPED_TRACE(range + " of " + std::to_string(e.size));
    const auto a = answer_entity(ranged(range), e);
    ASSERT_TRUE(a.res.status == 200U || a.res.status == 206U || a.res.status == 416U);
    EXPECT_EQ(a.res.headers.get("accept-ranges"), "bytes");
    if (a.res.status == 206U) {
      ASSERT_GT(a.length, 0U);
      ASSERT_LT(a.offset, e.size);
      ASSERT_LE(a.length, e.size - a.offset);
    } else if (a.res.status == 200U) {
      ASSERT_EQ(a.offset, 0U);
      ASSERT_EQ(a.length, e.size);
    } else {
      ASSERT_EQ(a.length, 0U);
    }
  }
}

TEST(HttpContentDisposition, AsciiNames) {
  EXPECT_EQ(content_disposition(true, "photo.jpg"),
            "inline; filename=\"photo.jpg\"; filename*=UTF-8''photo.jpg");
  EXPECT_EQ(content_disposition(false, "report 2024.pdf"),
            "attachment; filename=\"report 2024.pdf\"; filename*=UTF-8''report%202024.pdf");
  EXPECT_EQ(content_disposition(false, "a!#$&+-.^_`|~b"),
            "attachment; filename=\"a!#$&+-.^_`|~b\"; filename*=UTF-8''a!#$&+-.^_`|~b");
}

TEST(HttpContentDisposition, QuotesBackslashesAndPercentCannotEscape) {
  EXPECT_EQ(content_disposition(false, "a\"b\\c%41.txt"),
            "attachment; filename=\"a_b_c_41.txt\"; filename*=UTF-8''a%22b%5Cc%2541.txt");
  EXPECT_EQ(content_disposition(false, "x\"; filename=evil.exe"),
            "attachment; filename=\"x_; filename=evil.exe\"; "
            "filename*=UTF-8''x%22%3B%20filename%3Devil.exe");
  EXPECT_EQ(content_disposition(false, "a\r\nSet-Cookie: x\x7F"),
            "attachment; filename=\"a__Set-Cookie: x_\"; "
            "filename*=UTF-8''a%0D%0ASet-Cookie%3A%20x%7F");
}

TEST(HttpContentDisposition, NonAsciiNames) {
  // One '_' per character in the fallback; every byte percent-encoded in filename*.
  EXPECT_EQ(content_disposition(true, "\U0001F600.png"),
            "inline; filename=\"_.png\"; filename*=UTF-8''%F0%9F%98%80.png");
  EXPECT_EQ(content_disposition(false, "отчёт.pdf"),
            "attachment; filename=\"_____.pdf\"; "
            "filename*=UTF-8''%D0%BE%D1%82%D1%87%D1%91%D1%82.pdf");
  EXPECT_EQ(content_disposition(false, "caf\xC3\xA9"),
            "attachment; filename=\"caf_\"; filename*=UTF-8''caf%C3%A9");
  EXPECT_EQ(content_disposition(false, ""), "attachment; filename=\"file\"; filename*=UTF-8''file");
}

TEST(HttpContentDisposition, AnyBytesGiveAHeaderSafeValue) {
  std::mt19937 rng(7);
  for (int round = 0; round < 2000; ++round) {
    std::string name(rng() % 64, '\0');
    for (char& c : name)
      c = static_cast<char>(rng() & 0xFFU);
    const std::string v = content_disposition(rng() % 2 == 0, name);
    for (const char c : v) {
      const auto u = static_cast<unsigned char>(c);
      ASSERT_TRUE(u >= 0x20U && u < 0x7FU) << round;
    }
    // Exactly the two quotes around the fallback.
    ASSERT_EQ(std::count(v.begin(), v.end(), '"'), 2) << v;
    ASSERT_EQ(v.find('\\'), std::string::npos) << v;
  }
}

}  // namespace
}  // namespace hw::http

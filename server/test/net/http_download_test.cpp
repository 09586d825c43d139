// Streamed response bodies (response::stream_body) over real sockets: exact bytes under the
// announced Content-Length, a failing source, timeouts on lack of progress, keep-alive.

#include <gtest/gtest.h>

#include "streaming_fixture.hpp"

namespace hw::net::test {
namespace {

using download = streaming_test;

std::string get(std::string_view target, std::string_view method = "GET") {
  return std::string(method) + " " + std::string(target) + " HTTP/1.1\r\nHost: t\r\n\r\n";
}

TEST_F(download, SeveralMiBWithContentLengthAndExactBytes) {
  start();
  for (const char* target : {"/download?size=5242887", "/download?size=5242887&thread"}) {
    raw_client c(port());
    ASSERT_TRUE(c.send_all(get(target)));
    auto r = c.read_response();
    ASSERT_TRUE(r) << target;
    EXPECT_EQ(r->status, 200);
    EXPECT_EQ(r->header("content-length"), "5242887");
    EXPECT_EQ(r->header("transfer-encoding"), "");
    ASSERT_EQ(r->body.size(), 5242887U);
    EXPECT_TRUE(r->body == pattern(0, 5242887)) << target << ": bytes differ";
    // Nothing after the body: the next bytes would be taken for a response.
    EXPECT_FALSE(c.read_until_size(1, 200ms));
  }
}

TEST_F(download, EmptyAndOneByteBodies) {
  start();
  raw_client c(port());
  ASSERT_TRUE(c.send_all(get("/download?size=0") + get("/download?size=1")));
  auto empty = c.read_response();
  auto one = c.read_response();
  ASSERT_TRUE(empty && one);
  EXPECT_EQ(empty->header("content-length"), "0");
  EXPECT_EQ(empty->body, "");
  EXPECT_EQ(one->body, pattern(0, 1));
}

TEST_F(download, HeadAnnouncesTheLengthAndSendsNoBody) {
  start();
  raw_client c(port());
  ASSERT_TRUE(c.send_all(get("/download?size=777", "HEAD")));
  auto r = c.read_response(10s, true);
  ASSERT_TRUE(r);
  EXPECT_EQ(r->header("content-length"), "777");
  // Had the body been sent, these bytes would come before the next answer.
  ASSERT_TRUE(c.send_all(get("/download?size=5")));
  auto next = c.read_response();
  ASSERT_TRUE(next);
  EXPECT_EQ(next->status, 200);
  EXPECT_EQ(next->body, pattern(0, 5));
}

TEST_F(download, SourceFailingMidwayClosesBeforeContentLength) {
  start();
  for (const char* target :
       {"/download?size=3145728&fail=1048576", "/download?size=3145728&fail=1048576&thread",
        "/download?size=3145728&fail=0"}) {
    raw_client c(port());
    ASSERT_TRUE(c.send_all(get(target)));
    ASSERT_TRUE(c.read_until_closed(5s)) << target << ": the connection stayed open";
    const auto end = c.buffer().find("\r\n\r\n");
    ASSERT_NE(end, std::string::npos) << target;
    EXPECT_NE(c.buffer().find("Content-Length: 3145728"), std::string::npos) << target;
    const auto body = c.buffer().substr(end + 4);
    const auto fail_at = query_number(target, "fail", 0);
    EXPECT_EQ(body.size(), fail_at) << target;
    EXPECT_TRUE(body == pattern(0, body.size())) << target;
  }
}

TEST_F(download, SlowReaderMakingProgressIsNotCutOff) {
  start(500ms);
  // A small receive window: the server's writes block on this reader from the start.
  raw_client c(port(), 32 * KiB);
  constexpr std::size_t size = 8 * MiB;
  ASSERT_TRUE(c.send_all(get("/download?size=8388608")));
  // A little every 100 ms for 2.5 s (five times the request timeout)...
  const auto until = std::chrono::steady_clock::now() + 2500ms;
  while (std::chrono::steady_clock::now() < until) {
    c.read_some(10ms, 16 * KiB);
    ASSERT_FALSE(c.closed()) << "cut off after " << c.buffer().size() << " bytes";
    std::this_thread::sleep_for(100ms);
  }
  // ...then the rest at full speed: every byte arrives.
  auto r = c.read_response(20s);
  ASSERT_TRUE(r) << "incomplete: " << c.buffer().size() << " bytes";
  ASSERT_EQ(r->body.size(), size);
  EXPECT_TRUE(r->body == pattern(0, size));
}

TEST_F(download, ReaderThatStopsIsClosedAfterTheTimeout) {
  start(500ms);
  raw_client c(port(), 32 * KiB);
  constexpr std::size_t size = 64 * MiB;
  ASSERT_TRUE(c.send_all(get("/download?size=67108864")));
  std::this_thread::sleep_for(3s);  // reads nothing
  // The server gave up: what it had written drains, then EOF, well short of the body.
  ASSERT_TRUE(c.read_until_closed(10s)) << "still open";
  EXPECT_LT(c.buffer().size(), size);
}

TEST_F(download, KeepAliveAfterAStreamedResponse) {
  start();
  raw_client c(port());
  for (int i = 0; i < 3; ++i) {
    ASSERT_TRUE(c.send_all(get("/download?size=300000")));
    auto r = c.read_response();
    ASSERT_TRUE(r) << "response " << i;
    EXPECT_EQ(r->body.size(), 300000U);
    EXPECT_NE(r->header("connection"), "close");
  }
  ASSERT_TRUE(c.send_all(post_head("/echo", 4) + "abcd"));
  auto r = c.read_response();
  ASSERT_TRUE(r);
  EXPECT_EQ(r->status, 200);
}

TEST_F(download, UploadThenDownloadOnOneConnection) {
  start();
  raw_client c(port());
  ASSERT_TRUE(c.send_all(post_head("/upload", 1 * MiB)));
  ASSERT_TRUE(send_pattern(c, 1 * MiB));
  auto up = c.read_response();
  ASSERT_TRUE(up);
  EXPECT_EQ(up->status, 201);
  ASSERT_TRUE(c.send_all(get("/download?size=1048576&thread")));
  auto down = c.read_response();
  ASSERT_TRUE(down);
  EXPECT_TRUE(down->body == pattern(0, 1 * MiB));
}

}  // namespace
}  // namespace hw::net::test

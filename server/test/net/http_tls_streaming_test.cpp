// The streamed bodies over TLS: the same session template on an ssl_stream (reads and writes go
// through TLS records, the 100 Continue too, and the download watchdog watches the TCP socket
// under it).

#include <gtest/gtest.h>

#include "streaming_fixture.hpp"

namespace hw::net::test {
namespace {

using tls_streaming = streaming_test;

TEST_F(tls_streaming, UploadWithContinueThenDownloadOnOneConnection) {
  start(5s, 1 * MiB, true);
  if (IsSkipped()) return;
  raw_client c(port());
  ASSERT_TRUE(c.start_tls());
  constexpr std::uint64_t size = 3 * MiB + 5;
  ASSERT_TRUE(c.send_all(post_head("/upload", size, "Expect: 100-continue\r\n")));
  ASSERT_TRUE(c.read_until_size(25, 3s));
  EXPECT_EQ(c.buffer().substr(0, 25), "HTTP/1.1 100 Continue\r\n\r\n");
  c.buffer().erase(0, 25);
  ASSERT_TRUE(send_pattern(c, size, 10007));
  auto up = c.read_response();
  ASSERT_TRUE(up);
  EXPECT_EQ(up->status, 201);
  EXPECT_EQ(up->body.substr(0, up->body.find(' ')), std::to_string(size));
  ASSERT_TRUE(c.send_all("GET /download?size=4194311&thread HTTP/1.1\r\nHost: t\r\n\r\n"));
  auto down = c.read_response();
  ASSERT_TRUE(down);
  EXPECT_EQ(down->header("content-length"), "4194311");
  ASSERT_EQ(down->body.size(), 4194311U);
  EXPECT_TRUE(down->body == pattern(0, 4194311));
  std::lock_guard lock(log().m);
  EXPECT_EQ(log().finishes, 1);
  EXPECT_LE(log().max_chunk, 64 * KiB);
}

TEST_F(tls_streaming, SlowReaderIsNotCutOffAndAStoppedOneIs) {
  start(500ms, 1 * MiB, true);
  if (IsSkipped()) return;
  raw_client slow(port(), 32 * KiB);
  ASSERT_TRUE(slow.start_tls());
  ASSERT_TRUE(slow.send_all("GET /download?size=8388608 HTTP/1.1\r\nHost: t\r\n\r\n"));
  raw_client stopped(port(), 32 * KiB);
  ASSERT_TRUE(stopped.start_tls());
  ASSERT_TRUE(stopped.send_all("GET /download?size=67108864 HTTP/1.1\r\nHost: t\r\n\r\n"));
  const auto until = std::chrono::steady_clock::now() + 2500ms;
  while (std::chrono::steady_clock::now() < until) {
    slow.read_some(10ms, 16 * KiB);
    ASSERT_FALSE(slow.closed()) << "cut off after " << slow.buffer().size() << " bytes";
    std::this_thread::sleep_for(100ms);
  }
  auto r = slow.read_response(20s);
  ASSERT_TRUE(r) << "incomplete: " << slow.buffer().size() << " bytes";
  EXPECT_TRUE(r->body == pattern(0, 8 * MiB));
  ASSERT_TRUE(stopped.read_until_closed(10s)) << "a reader that stopped is still served";
  EXPECT_LT(stopped.buffer().size(), 64 * MiB);
}

TEST_F(tls_streaming, OversizeChunkedUploadIs413AndAborted) {
  handler_.upload_limit = 128 * KiB;
  start(5s, 1 * MiB, true);
  if (IsSkipped()) return;
  raw_client c(port());
  ASSERT_TRUE(c.start_tls());
  ASSERT_TRUE(c.send_all("POST /upload HTTP/1.1\r\nHost: t\r\nTransfer-Encoding: chunked\r\n\r\n"));
  for (int i = 0; i < 12; ++i) {  // 192 KiB
    if (!c.send_all("4000\r\n" + pattern(i * 16 * KiB, 16 * KiB) + "\r\n")) break;
  }
  auto r = c.read_response(5s);
  ASSERT_TRUE(r);
  EXPECT_EQ(r->status, 413);
  ASSERT_TRUE(log().wait([&] { return log().aborts == 1; }));
  std::lock_guard lock(log().m);
  EXPECT_EQ(log().finishes, 0);
}

}  // namespace
}  // namespace hw::net::test

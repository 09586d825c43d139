// Streamed and buffered request bodies over real sockets (net/http_session.cpp against the
// body_plan / body_sink contract of http/handler.hpp).

#include <gtest/gtest.h>

#include "streaming_fixture.hpp"

namespace hw::net::test {
namespace {

using upload = streaming_test;

std::string expected_answer(std::uint64_t size) {
  fnv f;
  for (std::uint64_t off = 0; off < size; off += 64 * KiB) {
    f.add(pattern(off, static_cast<std::size_t>(std::min<std::uint64_t>(64 * KiB, size - off))));
  }
  return std::to_string(size) + " " + std::to_string(f.h);
}

TEST_F(upload, SeveralMiBArriveInOrderInChunksWithoutGrowingTheHeap) {
  start();
  constexpr std::uint64_t size = 12 * MiB;
  log().heap_base = heap_in_use();
  raw_client c(port());
  ASSERT_TRUE(c.send_all(post_head("/upload?later", size)));
  // Odd pieces, so chunk boundaries never line up with what the client sent.
  ASSERT_TRUE(send_pattern(c, size, 10007));
  auto r = c.read_response();
  ASSERT_TRUE(r);
  EXPECT_EQ(r->status, 201);
  EXPECT_EQ(r->body, expected_answer(size));
  std::lock_guard lock(log().m);
  EXPECT_EQ(log().finishes, 1);
  EXPECT_FALSE(log().finished_failed);
  EXPECT_EQ(log().aborts, 0);
  EXPECT_LE(log().max_chunk, 64 * KiB);
  EXPECT_GE(log().writes, static_cast<int>(size / (64 * KiB)));
  EXPECT_EQ(log().max_in_flight, 1);
  EXPECT_EQ(log().calls_after_end, 0);
  // Nothing proportional to the body: the heap never held more than a few chunks' worth more.
  const auto growth =
      static_cast<long long>(log().heap_peak) - static_cast<long long>(log().heap_base);
  EXPECT_LT(growth, static_cast<long long>(4 * MiB)) << "heap grew by " << growth << " bytes";
}

TEST_F(upload, ChunkedBodyArrivesWhole) {
  start();
  raw_client c(port());
  ASSERT_TRUE(c.send_all("POST /upload HTTP/1.1\r\nHost: t\r\nTransfer-Encoding: chunked\r\n\r\n"));
  const std::size_t pieces[] = {1, 70000, 3, 65536, 200000, 4096, 131072, 17};
  std::uint64_t off = 0;
  for (const auto n : pieces) {
    char size_line[32];
    std::snprintf(size_line, sizeof size_line, "%zx\r\n", n);
    ASSERT_TRUE(c.send_all(size_line + pattern(off, n) + "\r\n"));
    off += n;
  }
  ASSERT_TRUE(c.send_all("0\r\n\r\n"));
  auto r = c.read_response();
  ASSERT_TRUE(r);
  EXPECT_EQ(r->status, 201);
  EXPECT_EQ(r->body, expected_answer(off));
  std::lock_guard lock(log().m);
  EXPECT_EQ(log().finishes, 1);
  EXPECT_LE(log().max_chunk, 64 * KiB);
}

TEST_F(upload, ContentLengthOverTheLimitIs413BeforeAnyByteIsRead) {
  handler_.upload_limit = 1 * MiB;
  start();
  raw_client c(port());
  // Expect: 100-continue too: the refusal comes instead of the 100, never after it.
  ASSERT_TRUE(c.send_all(post_head("/upload", 1 * MiB + 1, "Expect: 100-continue\r\n")));
  auto r = c.read_response(3s);
  ASSERT_TRUE(r) << "no answer without the body being sent";
  EXPECT_EQ(r->status, 413);
  EXPECT_NE(r->body.find("body_too_large"), std::string::npos);
  EXPECT_EQ(r->header("connection"), "close");
  EXPECT_TRUE(c.read_until_closed(5s)) << "connection left open after the 413";
  ASSERT_TRUE(log().wait([&] { return log().aborts == 1; }));
  std::lock_guard lock(log().m);
  EXPECT_EQ(log().writes, 0);
  EXPECT_EQ(log().finishes, 0);
}

TEST_F(upload, ExactlyTheLimitIsAccepted) {
  handler_.upload_limit = 1 * MiB;
  start();
  raw_client c(port());
  ASSERT_TRUE(c.send_all(post_head("/upload", 1 * MiB)));
  ASSERT_TRUE(send_pattern(c, 1 * MiB));
  auto r = c.read_response();
  ASSERT_TRUE(r);
  EXPECT_EQ(r->status, 201);
}

TEST_F(upload, ChunkedBodyPassingTheLimitIs413AndTheSinkAborted) {
  handler_.upload_limit = 256 * KiB;
  start();
  raw_client c(port());
  ASSERT_TRUE(c.send_all("POST /upload HTTP/1.1\r\nHost: t\r\nTransfer-Encoding: chunked\r\n\r\n"));
  for (int i = 0; i < 20; ++i) {  // 320 KiB in 16 KiB chunks
    if (!c.send_all("4000\r\n" + pattern(i * 16 * KiB, 16 * KiB) + "\r\n")) break;
  }
  auto r = c.read_response(5s);
  ASSERT_TRUE(r);
  EXPECT_EQ(r->status, 413);
  ASSERT_TRUE(log().wait([&] { return log().aborts == 1; }));
  std::lock_guard lock(log().m);
  EXPECT_EQ(log().finishes, 0);
  EXPECT_LE(log().bytes, 256 * KiB);
  EXPECT_EQ(log().calls_after_end, 0);
}

TEST_F(upload, ClientGoneMidBodyAbortsTheSinkOnce) {
  handler_.mode = sink_mode::delayed;
  start();
  {
    raw_client c(port());
    ASSERT_TRUE(c.send_all(post_head("/upload", 8 * MiB)));
    ASSERT_TRUE(send_pattern(c, 1 * MiB));
    ASSERT_TRUE(log().wait([&] { return log().writes >= 2; }));
  }  // closed with 7 MiB still owed
  ASSERT_TRUE(log().wait([&] { return log().aborts >= 1; }));
  std::this_thread::sleep_for(200ms);  // a second abort (or a finish) would come by now
  std::lock_guard lock(log().m);
  EXPECT_EQ(log().aborts, 1);
  EXPECT_EQ(log().finishes, 0);
  EXPECT_EQ(log().calls_after_end, 0);
}

TEST_F(upload, StalledUploadTimesOutAndAborts) {
  start(300ms);
  raw_client c(port());
  ASSERT_TRUE(c.send_all(post_head("/upload", 1 * MiB)));
  ASSERT_TRUE(send_pattern(c, 100 * KiB));
  ASSERT_TRUE(log().wait([&] { return log().aborts == 1; }, 3s));
  EXPECT_TRUE(c.read_until_closed(3s));
  std::lock_guard lock(log().m);
  EXPECT_EQ(log().finishes, 0);
}

TEST_F(upload, SlowButSteadyUploadOutlivesTheRequestTimeout) {
  start(400ms);
  raw_client c(port());
  constexpr std::uint64_t size = 256 * KiB;
  ASSERT_TRUE(c.send_all(post_head("/upload", size)));
  // 16 KiB every 100 ms: 1.6 s in all, four times the request timeout.
  for (std::uint64_t off = 0; off < size; off += 16 * KiB) {
    ASSERT_TRUE(c.send_all(pattern(off, 16 * KiB)));
    std::this_thread::sleep_for(100ms);
  }
  auto r = c.read_response();
  ASSERT_TRUE(r) << "cut off while making progress";
  EXPECT_EQ(r->status, 201);
  EXPECT_EQ(r->body, expected_answer(size));
}

TEST_F(upload, ExpectContinueGetsA100ThenTheAnswer) {
  start();
  for (const char* target : {"/upload", "/echo", "/upload?later"}) {
    raw_client c(port());
    ASSERT_TRUE(c.send_all(post_head(target, 100000, "Expect: 100-Continue\r\n")));
    ASSERT_TRUE(c.read_until_size(25, 3s)) << target << ": no interim answer";
    EXPECT_EQ(c.buffer().substr(0, 25), "HTTP/1.1 100 Continue\r\n\r\n") << target;
    c.buffer().erase(0, 25);
    ASSERT_TRUE(send_pattern(c, 100000));
    auto r = c.read_response();
    ASSERT_TRUE(r) << target;
    EXPECT_EQ(r->status, std::string_view(target) == "/echo" ? 200 : 201) << target;
    EXPECT_EQ(r->body, expected_answer(100000)) << target;
  }
}

TEST_F(upload, RefusalFromAdmitGetsNo100AndClosesWhenABodyWasAnnounced) {
  start();
  raw_client c(port());
  ASSERT_TRUE(c.send_all(post_head("/refuse?later", 5000, "Expect: 100-continue\r\n")));
  auto r = c.read_response(3s);
  ASSERT_TRUE(r);
  EXPECT_EQ(r->status, 401);  // the first answer: no 100 before it
  EXPECT_EQ(r->header("connection"), "close");
  EXPECT_TRUE(c.read_until_closed(5s));
  // Without a body the connection stays usable after a refusal.
  raw_client k(port());
  ASSERT_TRUE(
      k.send_all("GET /refuse HTTP/1.1\r\nHost: t\r\n\r\nGET /download?size=3 HTTP/1.1\r\n"
                 "Host: t\r\n\r\n"));
  auto first = k.read_response();
  auto second = k.read_response();
  ASSERT_TRUE(first && second);
  EXPECT_EQ(first->status, 401);
  EXPECT_EQ(second->status, 200);
  EXPECT_EQ(second->body, pattern(0, 3));
}

TEST_F(upload, SlowSinkPushesBackOnTheClient) {
  handler_.mode = sink_mode::gated;
  handler_.upload_limit = 32 * MiB;
  start();
  raw_client c(port(), 0, 64 * KiB);
  constexpr std::uint64_t size = 24 * MiB;
  ASSERT_TRUE(c.send_all(post_head("/upload", size)));
  // The sink sits on its first chunk: the server must stop reading, so the client's sends
  // stop going through once the kernel buffers are full (nowhere near the whole body).
  std::uint64_t pushed = 0;
  auto idle_since = std::chrono::steady_clock::now();
  while (std::chrono::steady_clock::now() - idle_since < 500ms && pushed < size) {
    const auto n = c.send_some_nonblocking(pattern(pushed, 64 * KiB));
    if (n == 0) {
      std::this_thread::sleep_for(10ms);
    } else {
      pushed += n;
      idle_since = std::chrono::steady_clock::now();
    }
  }
  EXPECT_LT(pushed, 8 * MiB) << "the server kept reading while the sink held a chunk";
  {
    std::lock_guard lock(log().m);
    EXPECT_EQ(log().writes, 1);
    EXPECT_EQ(log().held.size(), 1U);
  }
  // Release chunk by chunk from this thread while the client sends the rest.
  std::thread sender([&] { send_pattern(c, size, 64 * KiB, pushed); });
  for (;;) {
    std::function<void(bool)> done;
    if (!log().wait([&] { return !log().held.empty() || log().finishes > 0; })) break;
    {
      std::lock_guard lock(log().m);
      if (log().held.empty()) break;
      done = std::move(log().held.front());
      log().held.erase(log().held.begin());
    }
    done(true);
  }
  sender.join();
  auto r = c.read_response();
  ASSERT_TRUE(r);
  EXPECT_EQ(r->status, 201);
  EXPECT_EQ(r->body, expected_answer(size));
  std::lock_guard lock(log().m);
  EXPECT_EQ(log().max_in_flight, 1);  // never a second chunk while one is held
}

TEST_F(upload, FailedWriteFinishesWithFailedAndCloses) {
  handler_.mode = sink_mode::fail_third;
  start();
  raw_client c(port());
  ASSERT_TRUE(c.send_all(post_head("/upload", 1 * MiB)));
  // A quarter of the body: enough for three chunks; the server stops reading at the 507.
  ASSERT_TRUE(send_pattern(c, 256 * KiB));
  auto r = c.read_response();
  ASSERT_TRUE(r);
  EXPECT_EQ(r->status, 507);
  EXPECT_TRUE(c.read_until_closed(5s));  // the rest of the body was never read
  std::lock_guard lock(log().m);
  EXPECT_EQ(log().finishes, 1);
  EXPECT_TRUE(log().finished_failed);
  EXPECT_EQ(log().aborts, 0);
  EXPECT_EQ(log().writes, 3);
}

TEST_F(upload, KeepAliveAfterAStreamedUpload) {
  start();
  raw_client c(port());
  for (int i = 0; i < 3; ++i) {
    ASSERT_TRUE(c.send_all(post_head("/upload", 200 * KiB)));
    ASSERT_TRUE(send_pattern(c, 200 * KiB, 3000));
    auto r = c.read_response();
    ASSERT_TRUE(r) << "request " << i;
    EXPECT_EQ(r->status, 201);
    EXPECT_NE(r->header("connection"), "close");
  }
  // An upload with no body at all finishes at once.
  ASSERT_TRUE(c.send_all(post_head("/upload", 0)));
  auto r = c.read_response();
  ASSERT_TRUE(r);
  EXPECT_EQ(r->status, 201);
  EXPECT_EQ(r->body.substr(0, 2), "0 ");
}

TEST_F(upload, BufferedBodiesKeepTheServerDefaultLimit) {
  start(5s, 64 * KiB);
  raw_client c(port());
  ASSERT_TRUE(c.send_all(post_head("/echo", 64 * KiB)));
  ASSERT_TRUE(send_pattern(c, 64 * KiB));
  auto ok = c.read_response();
  ASSERT_TRUE(ok);
  EXPECT_EQ(ok->status, 200);
  EXPECT_EQ(ok->body, expected_answer(64 * KiB));
  ASSERT_TRUE(c.send_all(post_head("/echo", 64 * KiB + 1)));
  auto big = c.read_response();
  ASSERT_TRUE(big);
  EXPECT_EQ(big->status, 413);
  // Chunked past the limit: cut by the parser.
  raw_client k(port());
  ASSERT_TRUE(k.send_all("POST /echo HTTP/1.1\r\nHost: t\r\nTransfer-Encoding: chunked\r\n\r\n"));
  for (int i = 0; i < 6; ++i)
    k.send_all("4000\r\n" + pattern(0, 16 * KiB) + "\r\n");
  auto chunked = k.read_response();
  ASSERT_TRUE(chunked);
  EXPECT_EQ(chunked->status, 413);
}

TEST_F(upload, ShutdownMidBodyAbortsTheSinkHoldingAChunk) {
  handler_.mode = sink_mode::gated;
  start();
  raw_client c(port());
  ASSERT_TRUE(c.send_all(post_head("/upload", 4 * MiB)));
  ASSERT_TRUE(send_pattern(c, 256 * KiB));
  ASSERT_TRUE(log().wait([&] { return log().held.size() == 1; }));
  // Grace runs out with the sink holding its chunk; the done is then dropped uncalled and the
  // session destroyed: the sink still hears that the body will never complete.
  stop_server();
  std::lock_guard lock(log().m);
  EXPECT_EQ(log().aborts, 1);
  EXPECT_EQ(log().finishes, 0);
  EXPECT_EQ(log().calls_after_end, 0);
}

}  // namespace
}  // namespace hw::net::test

// The Beast-free parts of the body contract: net/'s decision once a plan is known, the guard of
// a sink's call order, the router forwarding admit() (with CORS on /api/), and Engine.IO's own
// body limit.

#include <gtest/gtest.h>

#include <boost/asio/io_context.hpp>
#include <memory>
#include <string>
#include <vector>

#include "engineio/server.hpp"
#include "http/router.hpp"
#include "net/http_rules.hpp"

namespace hw::net {
namespace {

using action = body_decision::action;

body_head head_of(bool has_body, std::optional<std::uint64_t> cl, bool expect = false,
                  bool http11 = true) {
  return body_head{has_body, cl, http11, expect};
}

TEST(DecideBody, DefaultPlanBuffersUnderTheServerLimit) {
  const auto d = decide_body({}, head_of(true, 10), 1000);
  EXPECT_EQ(d.what, action::buffer);
  EXPECT_EQ(d.limit, 1000U);
  EXPECT_FALSE(d.send_continue);
}

TEST(DecideBody, PlanLimitReplacesTheDefaultBothWays) {
  http::body_plan p;
  p.limit = 5000;
  EXPECT_EQ(decide_body(p, head_of(true, 4000), 1000).what, action::buffer);
  EXPECT_EQ(decide_body(p, head_of(true, 5000), 1000).what, action::buffer);
  EXPECT_EQ(decide_body(p, head_of(true, 5001), 1000).what, action::too_large);
  p.limit = 10;
  EXPECT_EQ(decide_body(p, head_of(true, 11), 1000).what, action::too_large);
}

TEST(DecideBody, RefusalWinsAndNeverInvitesTheBody) {
  http::body_plan p;
  p.refusal = http::make_error(401, "token_missing", "no");
  p.sink = nullptr;
  const auto d = decide_body(p, head_of(true, 10, true), 1000);
  EXPECT_EQ(d.what, action::refuse);
  EXPECT_FALSE(d.send_continue);
}

TEST(DecideBody, ContinueOnlyForAnAcceptedBodyFromAnHttp11Client) {
  EXPECT_TRUE(decide_body({}, head_of(true, 10, true), 1000).send_continue);
  EXPECT_TRUE(decide_body({}, head_of(true, std::nullopt, true), 1000).send_continue);  // chunked
  EXPECT_FALSE(decide_body({}, head_of(true, 10, true, false), 1000).send_continue);
  EXPECT_FALSE(decide_body({}, head_of(true, 2000, true), 1000).send_continue);  // 413 instead
  EXPECT_FALSE(decide_body({}, head_of(false, 0, true), 1000).send_continue);    // nothing to read
}

TEST(DecideBody, NoBodyAndStreamedBodies) {
  EXPECT_EQ(decide_body({}, head_of(false, 0), 1000).what, action::none);
  EXPECT_EQ(decide_body({}, head_of(false, std::nullopt), 1000).what, action::none);
  struct null_sink final : http::body_sink {
    void write(std::span<const char>, std::function<void(bool)> done) override { done(true); }
    void finish(bool, http::respond_fn) override {}
    void abort() override {}
  };
  http::body_plan p;
  p.sink = std::make_shared<null_sink>();
  EXPECT_EQ(decide_body(p, head_of(true, std::nullopt), 1000).what, action::stream);
  EXPECT_EQ(decide_body(p, head_of(false, 0), 1000).what, action::none);
}

TEST(ExpectHeader, CaseAndSpaceInsensitive) {
  http::request r;
  r.headers.add("Expect", " 100-Continue ");
  EXPECT_TRUE(make_body_head(r, true, 5, 11).expect_continue);
  http::request other;
  other.headers.add("expect", "200-ok");
  EXPECT_FALSE(make_body_head(other, true, 5, 11).expect_continue);
  EXPECT_FALSE(make_body_head(r, true, 5, 10).http11);
}

/// Counts calls; write's done is kept for the test to call.
struct counting_sink final : http::body_sink {
  int writes = 0, finishes = 0, aborts = 0;
  std::function<void(bool)> pending;
  void write(std::span<const char>, std::function<void(bool)> done) override {
    ++writes;
    pending = std::move(done);
  }
  void finish(bool, http::respond_fn) override { ++finishes; }
  void abort() override { ++aborts; }
};

TEST(SinkSlot, AbortDuringAWriteWaitsForItsDone) {
  auto s = std::make_shared<counting_sink>();
  sink_slot slot;
  slot.reset(s);
  bool done_ok = false;
  slot.write({}, [&](bool ok) { done_ok = ok; });
  slot.abort();
  EXPECT_EQ(s->aborts, 0) << "aborted while the sink still holds the chunk";
  s->pending(true);
  EXPECT_TRUE(done_ok);
  EXPECT_FALSE(slot.written());  // the caller stops: the sink was aborted now
  EXPECT_EQ(s->aborts, 1);
  slot.abort();
  slot.finish(false, [](http::response) {});
  EXPECT_EQ(s->aborts, 1);
  EXPECT_EQ(s->finishes, 0);
}

TEST(SinkSlot, FinishThenNothingElse) {
  auto s = std::make_shared<counting_sink>();
  {
    sink_slot slot;
    slot.reset(s);
    slot.write({}, [](bool) {});
    EXPECT_TRUE(slot.written());
    slot.finish(false, [](http::response) {});
    slot.abort();
  }  // the destructor owes nothing
  EXPECT_EQ(s->finishes, 1);
  EXPECT_EQ(s->aborts, 0);
}

TEST(SinkSlot, DestroyedMidBodyAbortsOnce) {
  auto s = std::make_shared<counting_sink>();
  {
    sink_slot slot;
    slot.reset(s);
    slot.write({}, [](bool) {});  // its done never comes
  }
  EXPECT_EQ(s->aborts, 1);
  EXPECT_EQ(s->finishes, 0);
}

/// A handler that records admit() and answers with a prepared plan.
struct plan_handler final : http::handler {
  std::string name;
  std::vector<std::string> admitted;
  std::function<http::body_plan()> plan = [] { return http::body_plan{}; };
  explicit plan_handler(std::string n) : name(std::move(n)) {}
  void admit(const http::request& head, http::plan_fn decide) override {
    admitted.push_back(head.path);
    decide(plan());
  }
  void handle(const http::request&, http::respond_fn respond) override {
    respond(http::make_text(200, "text/plain", name));
  }
};

http::request req_for(std::string path, std::string origin = {}) {
  http::request r;
  r.method = "POST";
  r.path = std::move(path);
  if (!origin.empty()) r.headers.add("origin", origin);
  return r;
}

struct router_fixture {
  plan_handler ops{"ops"}, web{"web"}, files{"files"}, files_meta{"files_meta"}, eio{"eio"};
  http::router r{http::security_policy{false, {"https://a.example"}}, ops, web};
  router_fixture() {
    r.mount("/api/files", files);
    r.mount("/api/files/meta", files_meta);
    r.mount("/socket.io/", eio);
  }
  http::body_plan admit(const http::request& req) {
    http::body_plan got;
    got.limit = 999'999;  // overwritten by the answer
    r.admit(req, [&](http::body_plan p) { got = std::move(p); });
    return got;
  }
};

TEST(RouterAdmit, AsksTheHandlerThatWillHandleThePath) {
  router_fixture f;
  f.files.plan = [] {
    http::body_plan p;
    p.limit = 10 << 20;
    return p;
  };
  EXPECT_EQ(f.admit(req_for("/api/files")).limit, 10U << 20U);
  EXPECT_EQ(f.admit(req_for("/api/files/meta/x")).limit, 0U);  // longest prefix
  f.admit(req_for("/socket.io/"));
  f.admit(req_for("/healthz"));
  f.admit(req_for("/index.html"));
  EXPECT_EQ(f.files.admitted, std::vector<std::string>{"/api/files"});
  EXPECT_EQ(f.files_meta.admitted, std::vector<std::string>{"/api/files/meta/x"});
  EXPECT_EQ(f.eio.admitted, std::vector<std::string>{"/socket.io/"});
  EXPECT_EQ(f.ops.admitted, std::vector<std::string>{"/healthz"});
  EXPECT_EQ(f.web.admitted, std::vector<std::string>{"/index.html"});
}

TEST(RouterAdmit, PathsTheRouterAnswersItselfGetTheDefaultPlan) {
  router_fixture f;
  for (const char* path : {"/metrics", "/api/nope"}) {
    const auto p = f.admit(req_for(path));
    EXPECT_EQ(p.limit, 0U) << path;
    EXPECT_FALSE(p.refusal) << path;
    EXPECT_FALSE(p.sink) << path;
  }
  EXPECT_TRUE(f.ops.admitted.empty());
  EXPECT_TRUE(f.web.admitted.empty());
}

TEST(RouterAdmit, ApiRefusalsAndStreamedAnswersGetCors) {
  router_fixture f;
  f.files.plan = [] {
    http::body_plan p;
    p.refusal = http::make_error(401, "token_missing", "no");
    return p;
  };
  auto refused = f.admit(req_for("/api/files", "https://a.example"));
  ASSERT_TRUE(refused.refusal);
  EXPECT_EQ(refused.refusal->headers.get("access-control-allow-origin"), "https://a.example");
  auto inner = std::make_shared<counting_sink>();
  f.files.plan = [&] {
    http::body_plan p;
    p.sink = inner;
    return p;
  };
  auto streamed = f.admit(req_for("/api/files", "https://a.example"));
  ASSERT_TRUE(streamed.sink);
  // The decorator passes every call through; the answer of finish() gets the CORS headers.
  struct answering_sink final : http::body_sink {
    void write(std::span<const char>, std::function<void(bool)> done) override { done(true); }
    void finish(bool, http::respond_fn respond) override {
      respond(http::make_text(201, "text/plain", "ok"));
    }
    void abort() override {}
  };
  f.files.plan = [] {
    http::body_plan p;
    p.sink = std::make_shared<answering_sink>();
    return p;
  };
  auto answering = f.admit(req_for("/api/files", "https://a.example"));
  http::response got;
  answering.sink->finish(false, [&](http::response r) { got = std::move(r); });
  EXPECT_EQ(got.status, 201U);
  EXPECT_EQ(got.headers.get("access-control-allow-origin"), "https://a.example");
  streamed.sink->write({}, [](bool) {});
  streamed.sink->abort();
  EXPECT_EQ(inner->writes, 1);
  EXPECT_EQ(inner->aborts, 1);
  // Not /api/: no CORS wrapping.
  f.eio.plan = [] {
    http::body_plan p;
    p.refusal = http::make_error(403, "forbidden", "no");
    return p;
  };
  auto rt = f.admit(req_for("/socket.io/", "https://a.example"));
  ASSERT_TRUE(rt.refusal);
  EXPECT_FALSE(rt.refusal->headers.has("access-control-allow-origin"));
}

TEST(EngineioAdmit, PollingBodiesAreLimitedToTheMaxPayload) {
  boost::asio::io_context io;
  engineio::options o;
  o.max_payload = 12345;
  engineio::server eio(io, o, [](auto) { return nullptr; });
  http::request head;
  head.method = "POST";
  head.path = "/socket.io/";
  http::body_plan got;
  eio.admit(head, [&](http::body_plan p) { got = std::move(p); });
  EXPECT_EQ(got.limit, 12345U);
  EXPECT_FALSE(got.sink);
  EXPECT_FALSE(got.refusal);
}

}  // namespace
}  // namespace hw::net

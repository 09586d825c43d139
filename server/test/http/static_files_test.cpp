#include "http/static_files.hpp"

#include <gtest/gtest.h>
#include <sys/stat.h>
#include <zlib.h>

#include <atomic>
#include <chrono>
#include <fstream>
#include <optional>
#include <random>
#include <string>
#include <thread>
#include <vector>

#include "http/inline_scripts.hpp"
#include "http/security_headers.hpp"
#include "support/gunzip.hpp"

namespace hw::http {
namespace {

using test::gunzip;

namespace fs = std::filesystem;

std::string text_of_size(std::size_t n) {
  std::string s;
  while (s.size() < n)
    s += "Hallway static file line " + std::to_string(s.size()) + "\n";
  s.resize(n);
  return s;
}

bool contains(std::string_view haystack, std::string_view needle) {
  return haystack.find(needle) != std::string_view::npos;
}

// A fresh directory per test: <tmp>/hallway_static_<random>/{web,outside}.
class StaticFilesTest : public ::testing::Test {
 protected:
  void SetUp() override {
    std::random_device rd;
    base_ = fs::temp_directory_path() /
            ("hallway_static_" + std::to_string(rd()) + "_" + std::to_string(rd()));
    fs::create_directories(base_ / "web");
    fs::create_directories(base_ / "outside");
    web_ = base_ / "web";
  }
  void TearDown() override {
    std::error_code ec;
    fs::remove_all(base_, ec);
  }

  void write(const fs::path& rel, std::string_view content, const fs::path& under = {}) {
    const fs::path p = (under.empty() ? web_ : under) / rel;
    fs::create_directories(p.parent_path());
    std::ofstream out(p, std::ios::binary | std::ios::trunc);
    out.write(content.data(), static_cast<std::streamsize>(content.size()));
  }

  static_options options() const {
    static_options o;
    o.root = web_;
    return o;
  }

  static request get(std::string path, std::string method = "GET") {
    request req;
    req.method = std::move(method);
    req.target = path;
    req.path = std::move(path);
    return req;
  }

  static request get_with(std::string path, std::string_view name, std::string_view value) {
    request req = get(std::move(path));
    req.headers.add(name, value);
    return req;
  }

  fs::path base_;
  fs::path web_;
};

TEST_F(StaticFilesTest, ServesAFileWithHeaders) {
  write("hello.txt", "hello world");
  static_files files(options());
  const response res = files.serve(get("/hello.txt"));
  EXPECT_EQ(res.status, 200U);
  EXPECT_EQ(res.body_view(), "hello world");
  ASSERT_TRUE(res.shared_body);
  EXPECT_EQ(res.headers.get("content-type"), "text/plain; charset=utf-8");
  EXPECT_EQ(res.headers.get("cache-control"), "public, max-age=3600");
  EXPECT_EQ(res.headers.get("vary"), "Accept-Encoding");
  EXPECT_FALSE(res.headers.has("content-encoding"));
  const std::string_view etag = res.headers.get("etag");
  ASSERT_GE(etag.size(), 5U);
  EXPECT_EQ(etag.front(), '"');
  EXPECT_EQ(etag.back(), '"');
  EXPECT_TRUE(etag.starts_with("\"b-"));  // size 11 in hex
  EXPECT_FALSE(res.head_only);
}

TEST_F(StaticFilesTest, NonCompressibleTypesHaveNoVary) {
  write("a.png", std::string(4096, 'x'));
  static_files files(options());
  const response res = files.serve(get_with("/a.png", "Accept-Encoding", "gzip"));
  EXPECT_EQ(res.status, 200U);
  EXPECT_EQ(res.headers.get("content-type"), "image/png");
  EXPECT_FALSE(res.headers.has("vary"));
  EXPECT_FALSE(res.headers.has("content-encoding"));
  EXPECT_EQ(res.body_view().size(), 4096U);
}

TEST_F(StaticFilesTest, CacheControlByKind) {
  write("index.html", "<!doctype html><title>app</title>");
  write("_next/static/chunks/main-abc123.js", "console.log(1)");
  write("logo.svg", "<svg/>");
  static_files files(options());
  EXPECT_EQ(files.serve(get("/")).headers.get("cache-control"), "no-cache");
  EXPECT_EQ(files.serve(get("/index.html")).headers.get("cache-control"), "no-cache");
  EXPECT_EQ(files.serve(get("/_next/static/chunks/main-abc123.js")).headers.get("cache-control"),
            "public, max-age=31536000, immutable");
  EXPECT_EQ(files.serve(get("/logo.svg")).headers.get("cache-control"), "public, max-age=3600");
}

TEST_F(StaticFilesTest, NextExportLayout) {
  write("index.html", "root");
  write("about.html", "about page");
  write("docs/index.html", "docs index");
  write("docs/intro.html", "intro");
  static_files files(options());
  EXPECT_EQ(files.serve(get("/")).body_view(), "root");
  EXPECT_EQ(files.serve(get("/about")).body_view(), "about page");
  EXPECT_EQ(files.serve(get("/about/")).body_view(), "about page");
  EXPECT_EQ(files.serve(get("/about.html")).body_view(), "about page");
  EXPECT_EQ(files.serve(get("/docs")).body_view(), "docs index");
  EXPECT_EQ(files.serve(get("/docs/")).body_view(), "docs index");
  EXPECT_EQ(files.serve(get("/docs/intro")).body_view(), "intro");
  EXPECT_EQ(files.serve(get("//docs//intro")).body_view(), "intro");
  const response about = files.serve(get("/about"));
  EXPECT_EQ(about.headers.get("content-type"), "text/html; charset=utf-8");
  EXPECT_EQ(about.headers.get("cache-control"), "no-cache");
}

TEST_F(StaticFilesTest, TrailingSlashPrefersTheDirectoryIndex) {
  write("guide.html", "guide page");
  write("guide/index.html", "guide index");
  static_files files(options());
  EXPECT_EQ(files.serve(get("/guide")).body_view(), "guide page");
  EXPECT_EQ(files.serve(get("/guide/")).body_view(), "guide index");
}

TEST_F(StaticFilesTest, DirectoryWithoutIndexIs404) {
  write("index.html", "root");
  write("assets/a.txt", "a");
  static_files files(options());
  EXPECT_EQ(files.serve(get("/assets")).status, 404U);
  EXPECT_EQ(files.serve(get("/assets/")).status, 404U);
  EXPECT_EQ(files.serve(get("/assets/a.txt")).status, 200U);
  EXPECT_EQ(files.serve(get("/a.txt/")).status, 404U);
}

TEST_F(StaticFilesTest, SpaFallbackAndMissingAssets) {
  write("index.html", "spa shell");
  static_files files(options());
  const response route = files.serve(get("/rooms/42"));
  EXPECT_EQ(route.status, 200U);
  EXPECT_EQ(route.body_view(), "spa shell");
  EXPECT_EQ(route.headers.get("content-type"), "text/html; charset=utf-8");
  EXPECT_EQ(files.serve(get("/settings/")).body_view(), "spa shell");

  const response missing = files.serve(get("/missing.js"));
  EXPECT_EQ(missing.status, 404U);
  EXPECT_EQ(missing.headers.get("content-type"), "application/json");
  EXPECT_TRUE(contains(missing.body_view(), "\"code\":\"not_found\""));
  EXPECT_EQ(files.serve(get("/_next/static/x.css")).status, 404U);
}

TEST_F(StaticFilesTest, BuiltinPageWhenTheAppIsNotBuilt) {
  write("other.txt", "x");
  static_files files(options());
  for (const char* path : {"/", "/some/route"}) {
    const response res = files.serve(get(path));
    EXPECT_EQ(res.status, 200U) << path;
    EXPECT_EQ(res.headers.get("content-type"), "text/html; charset=utf-8");
    EXPECT_EQ(res.headers.get("cache-control"), "no-cache");
    EXPECT_FALSE(res.headers.get("etag").empty());
    const std::string_view body = res.body_view();
    EXPECT_TRUE(body.starts_with("<!doctype html>"));
    EXPECT_TRUE(contains(body, "<title>Hallway</title>"));
    EXPECT_TRUE(contains(body, "<meta charset=\"utf-8\">"));
    EXPECT_TRUE(contains(body, "server is up"));
    EXPECT_TRUE(contains(body, "not built yet"));
    EXPECT_FALSE(contains(body, "<script"));  // the CSP forbids inline script
  }
  EXPECT_EQ(files.serve(get("/app.js")).status, 404U);
  const response res = files.serve(get("/"));
  EXPECT_EQ(files.serve(get_with("/", "If-None-Match", res.headers.get("etag"))).status, 304U);
}

TEST_F(StaticFilesTest, MissingOrEmptyRoot) {
  static_options o;
  o.root = base_ / "does-not-exist";
  static_files missing(o);
  EXPECT_EQ(missing.serve(get("/")).status, 200U);
  EXPECT_TRUE(contains(missing.serve(get("/")).body_view(), "Hallway"));
  EXPECT_EQ(missing.serve(get("/x.js")).status, 404U);

  // An empty root must never mean "the working directory".
  static_files empty{static_options{}};
  EXPECT_TRUE(contains(empty.serve(get("/")).body_view(), "Hallway"));
  EXPECT_EQ(empty.serve(get("/CMakeCache.txt")).status, 404U);
  EXPECT_EQ(empty.serve(get("/etc/passwd")).status, 200U);  // SPA fallback: the built-in page
  EXPECT_TRUE(contains(empty.serve(get("/etc/passwd")).body_view(), "Hallway"));
}

TEST_F(StaticFilesTest, RootCreatedAfterStart) {
  static_options o;
  o.root = base_ / "late";
  static_files files(o);
  EXPECT_TRUE(contains(files.serve(get("/")).body_view(), "Hallway"));
  write("index.html", "built now", base_ / "late");
  EXPECT_EQ(files.serve(get("/")).body_view(), "built now");
}

TEST_F(StaticFilesTest, RefusesBadPathsWith400) {
  write("index.html", "root");
  write("../outside/secret.txt", "secret");
  static_files files(options());
  for (const char* path : {"/../outside/secret.txt", "/a/../../x", "/%2e%2e/outside/secret.txt",
                           "/%2E%2e%2foutside", "/%252e%252e/x", "/a%2fb", "/a\\b", "/a%5cb",
                           "/%00", "/.hidden/.", "/%G1", "/%4", "relative", ""}) {
    const response res = files.serve(get(path));
    EXPECT_EQ(res.status, 400U) << path;
    EXPECT_TRUE(contains(res.body_view(), "\"code\":\"bad_path\"")) << path;
  }
}

TEST_F(StaticFilesTest, DotfilesAreHiddenExceptWellKnown) {
  write(".env", "SECRET=1");
  write(".git/config", "[core]");
  write(".well-known/security.txt", "Contact: mailto:x@example.com");
  static_files files(options());
  EXPECT_EQ(files.serve(get("/.env")).status, 404U);
  EXPECT_EQ(files.serve(get("/.git/config")).status, 404U);
  EXPECT_EQ(files.serve(get("/.git")).status, 404U);
  EXPECT_EQ(files.serve(get("/%2egit/config")).status, 404U);
  EXPECT_EQ(files.serve(get("/.well-known/security.txt")).status, 200U);
}

TEST_F(StaticFilesTest, SymlinksInsideTheRootAreFollowed) {
  write("real.txt", "real");
  write("dir/a.txt", "in dir");
  fs::create_symlink(web_ / "real.txt", web_ / "alias.txt");
  fs::create_directory_symlink(web_ / "dir", web_ / "linked");
  static_files files(options());
  EXPECT_EQ(files.serve(get("/alias.txt")).body_view(), "real");
  EXPECT_EQ(files.serve(get("/linked/a.txt")).body_view(), "in dir");
}

TEST_F(StaticFilesTest, SymlinksOutOfTheRootAre403) {
  write("secret.txt", "secret", base_ / "outside");
  write("x.txt", "neighbour", base_ / "web2");
  fs::create_symlink(base_ / "outside" / "secret.txt", web_ / "leak.txt");
  fs::create_directory_symlink(base_ / "outside", web_ / "ext");
  fs::create_symlink(base_ / "web2" / "x.txt", web_ / "prefix.txt");  // "/web2" starts with "/web"
  fs::create_symlink("/etc/hostname", web_ / "host.txt");
  static_files files(options());
  for (const char* path : {"/leak.txt", "/ext/secret.txt", "/prefix.txt"}) {
    const response res = files.serve(get(path));
    EXPECT_EQ(res.status, 403U) << path;
    EXPECT_TRUE(contains(res.body_view(), "\"code\":\"forbidden\"")) << path;
    EXPECT_FALSE(contains(res.body_view(), "secret")) << path;
  }
  if (fs::exists("/etc/hostname")) {
    EXPECT_EQ(files.serve(get("/host.txt")).status, 403U);
  }
}

TEST_F(StaticFilesTest, RootGivenThroughASymlink) {
  write("a.txt", "via link");
  fs::create_directory_symlink(web_, base_ / "web-link");
  static_options o;
  o.root = base_ / "web-link";
  static_files files(o);
  EXPECT_EQ(files.serve(get("/a.txt")).body_view(), "via link");
}

TEST_F(StaticFilesTest, SpecialFilesAreNotServed) {
  const fs::path fifo = web_ / "pipe.txt";
  ASSERT_EQ(::mkfifo(fifo.c_str(), 0600), 0);
  static_files files(options());
  EXPECT_EQ(files.serve(get("/pipe.txt")).status, 404U);  // and it does not block
}

TEST_F(StaticFilesTest, EtagAndConditionalRequests) {
  write("a.css", "body{}");
  static_files files(options());
  const response first = files.serve(get("/a.css"));
  const std::string etag(first.headers.get("etag"));
  ASSERT_FALSE(etag.empty());
  EXPECT_EQ(files.serve(get("/a.css")).headers.get("etag"), etag);  // stable

  for (const std::string& inm : {etag, "\"other\", " + etag, "W/" + etag, std::string("*"),
                                 "\"x\",W/" + etag + " , \"y\""}) {
    const response res = files.serve(get_with("/a.css", "If-None-Match", inm));
    EXPECT_EQ(res.status, 304U) << inm;
    EXPECT_TRUE(res.body_view().empty()) << inm;
    EXPECT_EQ(res.headers.get("etag"), etag);
    EXPECT_EQ(res.headers.get("cache-control"), "public, max-age=3600");
    EXPECT_FALSE(res.headers.has("content-encoding"));
  }
  for (const char* inm : {"\"nope\"", "garbage", "\"unterminated", "W/\"x\""}) {
    EXPECT_EQ(files.serve(get_with("/a.css", "If-None-Match", inm)).status, 200U) << inm;
  }
  request head = get_with("/a.css", "If-None-Match", etag);
  head.method = "HEAD";
  EXPECT_EQ(files.serve(head).status, 304U);
}

TEST_F(StaticFilesTest, HeadKeepsTheBodyForContentLength) {
  write("a.txt", "twelve bytes");
  static_files files(options());
  const response res = files.serve(get("/a.txt", "HEAD"));
  EXPECT_EQ(res.status, 200U);
  EXPECT_TRUE(res.head_only);
  EXPECT_EQ(res.body_view().size(), 12U);
  EXPECT_EQ(res.headers.get("etag"), files.serve(get("/a.txt")).headers.get("etag"));
}

TEST_F(StaticFilesTest, OtherMethodsAre405) {
  write("a.txt", "x");
  static_files files(options());
  for (const char* method : {"POST", "PUT", "DELETE", "OPTIONS", "PATCH", "get", ""}) {
    const response res = files.serve(get("/a.txt", method));
    EXPECT_EQ(res.status, 405U) << method;
    EXPECT_EQ(res.headers.get("allow"), "GET, HEAD");
    EXPECT_TRUE(contains(res.body_view(), "\"code\":\"method_not_allowed\""));
  }
}

TEST_F(StaticFilesTest, GzipOnTheFly) {
  const std::string text = text_of_size(20000);
  write("big.js", text);
  static_files files(options());
  const response res = files.serve(get_with("/big.js", "Accept-Encoding", "gzip, deflate, br"));
  EXPECT_EQ(res.status, 200U);
  EXPECT_EQ(res.headers.get("content-encoding"), "gzip");
  EXPECT_EQ(res.headers.get("content-type"), "text/javascript; charset=utf-8");
  EXPECT_EQ(res.headers.get("vary"), "Accept-Encoding");
  EXPECT_LT(res.body_view().size(), text.size());
  EXPECT_EQ(gunzip(res.body_view()), text);

  const response plain = files.serve(get("/big.js"));
  EXPECT_FALSE(plain.headers.has("content-encoding"));
  EXPECT_EQ(plain.body_view(), text);
  EXPECT_EQ(plain.headers.get("vary"), "Accept-Encoding");
  // Different representations, different validators.
  const std::string gz_etag(res.headers.get("etag"));
  EXPECT_TRUE(gz_etag.ends_with("-gz\""));
  EXPECT_NE(gz_etag, plain.headers.get("etag"));
  const response again = files.serve(get_with("/big.js", "Accept-Encoding", "gzip"));
  EXPECT_EQ(again.shared_body, res.shared_body);  // cached, not recompressed
  EXPECT_EQ(files.serve(get_with("/big.js", "Accept-Encoding", "gzip;q=0")).body_view(), text);
  request cond = get_with("/big.js", "Accept-Encoding", "gzip");
  cond.headers.add("If-None-Match", gz_etag);
  EXPECT_EQ(files.serve(cond).status, 304U);
}

TEST_F(StaticFilesTest, SmallFilesAreNotCompressed) {
  write("small.css", "a{}");
  static_options o = options();
  o.gzip_min_bytes = 1024;
  static_files files(o);
  const response res = files.serve(get_with("/small.css", "Accept-Encoding", "gzip"));
  EXPECT_FALSE(res.headers.has("content-encoding"));
  EXPECT_EQ(res.body_view(), "a{}");
  EXPECT_EQ(res.headers.get("vary"), "Accept-Encoding");
}

TEST_F(StaticFilesTest, IncompressibleTextIsSentPlain) {
  std::mt19937 rng(7);
  std::string noise(8192, '\0');
  for (char& c : noise)
    c = static_cast<char>(rng());
  write("noise.txt", noise);
  static_files files(options());
  const response res = files.serve(get_with("/noise.txt", "Accept-Encoding", "gzip"));
  EXPECT_FALSE(res.headers.has("content-encoding"));
  EXPECT_EQ(res.body_view(), noise);
}

TEST_F(StaticFilesTest, PrecompressedSiblings) {
  write("app.js", "plain js");
  write("app.js.br", "brotli bytes");
  write("app.js.gz", "gzip bytes");
  static_files files(options());
  const response br = files.serve(get_with("/app.js", "Accept-Encoding", "gzip, deflate, br"));
  EXPECT_EQ(br.body_view(), "brotli bytes");
  EXPECT_EQ(br.headers.get("content-encoding"), "br");
  EXPECT_EQ(br.headers.get("content-type"), "text/javascript; charset=utf-8");
  EXPECT_EQ(br.headers.get("vary"), "Accept-Encoding");
  EXPECT_TRUE(br.headers.get("etag").ends_with("-br\""));

  const response gz = files.serve(get_with("/app.js", "Accept-Encoding", "gzip"));
  EXPECT_EQ(gz.body_view(), "gzip bytes");
  EXPECT_EQ(gz.headers.get("content-encoding"), "gzip");
  EXPECT_TRUE(gz.headers.get("etag").ends_with("-gz\""));

  const response plain = files.serve(get("/app.js"));
  EXPECT_EQ(plain.body_view(), "plain js");
  EXPECT_FALSE(plain.headers.has("content-encoding"));
  EXPECT_EQ(plain.headers.get("vary"), "Accept-Encoding");

  EXPECT_NE(br.headers.get("etag"), gz.headers.get("etag"));
  EXPECT_NE(gz.headers.get("etag"), plain.headers.get("etag"));
  EXPECT_NE(br.headers.get("etag"), plain.headers.get("etag"));

  // The sibling itself is still an ordinary file.
  const response direct = files.serve(get("/app.js.gz"));
  EXPECT_EQ(direct.body_view(), "gzip bytes");
  EXPECT_FALSE(direct.headers.has("content-encoding"));
}

TEST_F(StaticFilesTest, SiblingOfABinaryTypeStillVaries) {
  write("data.bin", "raw");
  write("data.bin.gz", "gz");
  static_files files(options());
  EXPECT_EQ(files.serve(get("/data.bin")).headers.get("vary"), "Accept-Encoding");
  EXPECT_EQ(files.serve(get_with("/data.bin", "Accept-Encoding", "gzip")).body_view(), "gz");
}

TEST_F(StaticFilesTest, SiblingEscapingTheRootIsIgnored) {
  write("app.js", "plain js");
  write("evil.gz", "outside", base_ / "outside");
  fs::create_symlink(base_ / "outside" / "evil.gz", web_ / "app.js.gz");
  static_files files(options());
  const response res = files.serve(get_with("/app.js", "Accept-Encoding", "gzip"));
  EXPECT_EQ(res.status, 200U);
  EXPECT_EQ(res.body_view(), "plain js");
}

TEST_F(StaticFilesTest, ReloadsAChangedFile) {
  write("a.txt", "version 1");
  static_files files(options());
  const response first = files.serve(get("/a.txt"));
  EXPECT_EQ(first.body_view(), "version 1");
  const auto mtime = fs::last_write_time(web_ / "a.txt");

  write("a.txt", "version 2");  // same size
  fs::last_write_time(web_ / "a.txt", mtime + std::chrono::seconds(5));
  const response second = files.serve(get("/a.txt"));
  EXPECT_EQ(second.body_view(), "version 2");
  EXPECT_NE(second.headers.get("etag"), first.headers.get("etag"));
  EXPECT_EQ(first.body_view(), "version 1");  // a response in flight keeps its bytes

  write("a.txt", "version three");  // new size, mtime forced back to the old value
  fs::last_write_time(web_ / "a.txt", mtime + std::chrono::seconds(5));
  EXPECT_EQ(files.serve(get("/a.txt")).body_view(), "version three");

  const response stale =
      files.serve(get_with("/a.txt", "If-None-Match", first.headers.get("etag")));
  EXPECT_EQ(stale.status, 200U);
}

TEST_F(StaticFilesTest, ReloadsTheGzipVariantToo) {
  write("a.txt", text_of_size(4000));
  static_files files(options());
  const auto mtime = fs::last_write_time(web_ / "a.txt");
  EXPECT_EQ(gunzip(files.serve(get_with("/a.txt", "Accept-Encoding", "gzip")).body_view()),
            text_of_size(4000));
  const std::string changed(4000, 'z');
  write("a.txt", changed);
  fs::last_write_time(web_ / "a.txt", mtime + std::chrono::seconds(3));
  EXPECT_EQ(gunzip(files.serve(get_with("/a.txt", "Accept-Encoding", "gzip")).body_view()),
            changed);
}

// ---- CSP for inline scripts -------------------------------------------------------------------

std::string csp_with(std::initializer_list<std::string_view> scripts) {
  std::vector<std::string> sources;
  for (const auto s : scripts)
    sources.push_back(script_hash_source(s));
  return content_security_policy(sources);
}

TEST_F(StaticFilesTest, HtmlGetsTheHashesOfItsInlineScripts) {
  write("index.html",
        "<!doctype html><script src=\"/_next/a.js\"></script><script>one()</script>"
        "<p>x</p><script type=\"application/json\">{\"two\":2}</script>");
  write("app.js", "<script>not html()</script>");
  static_files files(options());
  for (const char* path : {"/", "/index.html", "/index", "/some/spa/route"}) {
    const response res = files.serve(get(path));
    EXPECT_EQ(res.headers.get("content-security-policy"), csp_with({"one()", "{\"two\":2}"}))
        << path;
  }
  EXPECT_FALSE(files.serve(get("/app.js")).headers.has("content-security-policy"));
  // No inline script: no header here, the security decorator adds the default policy.
  write("plain.html", "<!doctype html><script src=a.js></script><p>plain</p>");
  EXPECT_FALSE(files.serve(get("/plain.html")).headers.has("content-security-policy"));
  // The header survives the decorator, which only fills absent headers.
  response res = files.serve(get("/"));
  add_security_headers(res, security_policy{});
  EXPECT_EQ(res.headers.get("content-security-policy"), csp_with({"one()", "{\"two\":2}"}));
  EXPECT_EQ(res.headers.get("x-frame-options"), "DENY");
}

TEST_F(StaticFilesTest, TheCspComesFromThePlainPageWhateverEncodingIsSent) {
  const std::string page = "<!doctype html><script>boot()</script>" + text_of_size(4000);
  write("page.html", page);
  write("page.html.br", "brotli bytes");
  static_files files(options());
  const std::string want = csp_with({"boot()"});
  const response br = files.serve(get_with("/page", "Accept-Encoding", "br"));
  EXPECT_EQ(br.body_view(), "brotli bytes");
  EXPECT_EQ(br.headers.get("content-security-policy"), want);
  const response gz = files.serve(get_with("/page", "Accept-Encoding", "gzip"));
  EXPECT_EQ(gz.headers.get("content-encoding"), "gzip");
  EXPECT_EQ(gunzip(gz.body_view()), page);
  EXPECT_EQ(gz.headers.get("content-security-policy"), want);
  const response not_modified = files.serve(
      get_with("/page", "If-None-Match", files.serve(get("/page")).headers.get("etag")));
  EXPECT_EQ(not_modified.status, 304U);
  EXPECT_EQ(not_modified.headers.get("content-security-policy"), want);
}

TEST_F(StaticFilesTest, TheCspFollowsTheFileVersion) {
  write("index.html", "<script>v1()</script>");
  static_files files(options());
  EXPECT_EQ(files.serve(get("/")).headers.get("content-security-policy"), csp_with({"v1()"}));
  const auto mtime = fs::last_write_time(web_ / "index.html");
  write("index.html", "<script>v2()</script>");  // same size: the mtime tells
  fs::last_write_time(web_ / "index.html", mtime + std::chrono::seconds(2));
  EXPECT_EQ(files.serve(get("/")).headers.get("content-security-policy"), csp_with({"v2()"}));
}

TEST_F(StaticFilesTest, AnHtmlFileCachedUnderAnotherNameStillGetsItsCsp) {
  write("page.html", "<script>go()</script>");
  fs::create_symlink(web_ / "page.html", web_ / "page.txt");
  static_files files(options());
  const response txt = files.serve(get("/page.txt"));  // cached first as text
  EXPECT_FALSE(txt.headers.has("content-security-policy"));
  EXPECT_EQ(files.serve(get("/page.html")).headers.get("content-security-policy"),
            csp_with({"go()"}));
  EXPECT_EQ(files.serve(get("/page.html")).shared_body, txt.shared_body);  // bytes not reread
}

TEST_F(StaticFilesTest, APageWithTooManyInlineScriptsKeepsTheFirstHashes) {
  std::string html;
  std::vector<std::string> first;
  for (std::size_t i = 0; i < max_inline_scripts + 10; ++i) {
    const std::string text = "s(" + std::to_string(i) + ")";
    html += "<script>" + text + "</script>";
    if (i < max_inline_scripts) first.push_back(script_hash_source(text));
  }
  write("many.html", html);
  static_files files(options());
  const response res = files.serve(get("/many.html"));
  EXPECT_EQ(res.status, 200U);
  EXPECT_EQ(res.headers.get("content-security-policy"), content_security_policy(first));
  EXPECT_EQ(res.body_view(), html);
}

TEST_F(StaticFilesTest, CachedBodiesAreSharedNotCopied) {
  write("a.png", std::string(5000, 'p'));
  static_files files(options());
  const response a = files.serve(get("/a.png"));
  const response b = files.serve(get("/a.png"));
  ASSERT_TRUE(a.shared_body);
  EXPECT_EQ(a.shared_body, b.shared_body);
  EXPECT_TRUE(a.body.empty());
}

TEST_F(StaticFilesTest, CacheStaysWithinItsBound) {
  write("a.png", std::string(3000, 'a'));
  write("b.png", std::string(3000, 'b'));
  static_options o = options();
  o.cache_bytes = 4096;  // room for one of them
  static_files files(o);
  const response a1 = files.serve(get("/a.png"));
  EXPECT_EQ(files.serve(get("/a.png")).shared_body, a1.shared_body);
  const response b1 = files.serve(get("/b.png"));
  EXPECT_EQ(b1.body_view(), std::string(3000, 'b'));
  EXPECT_EQ(files.serve(get("/b.png")).shared_body, b1.shared_body);
  const response a2 = files.serve(get("/a.png"));  // a was evicted for b
  EXPECT_EQ(a2.body_view(), std::string(3000, 'a'));
  EXPECT_NE(a2.shared_body, a1.shared_body);

  o.cache_bytes = 0;  // nothing is cached, everything is still served
  static_files uncached(o);
  const response u1 = uncached.serve(get("/a.png"));
  const response u2 = uncached.serve(get("/a.png"));
  EXPECT_EQ(u1.body_view(), std::string(3000, 'a'));
  EXPECT_NE(u1.shared_body, u2.shared_body);
}

TEST_F(StaticFilesTest, FilesOverTheSizeLimitAre404) {
  write("big.txt", std::string(2000, 'x'));
  write("ok.txt", std::string(1000, 'x'));
  static_options o = options();
  o.max_file_bytes = 1000;
  static_files files(o);
  EXPECT_EQ(files.serve(get("/big.txt")).status, 404U);
  EXPECT_EQ(files.serve(get("/ok.txt")).status, 200U);
}

TEST_F(StaticFilesTest, HandleRespondsExactlyOnce) {
  write("a.txt", "async");
  static_files files(options());
  int calls = 0;
  response got;
  files.handle(get("/a.txt"), [&](response r) {
    ++calls;
    got = std::move(r);
  });
  EXPECT_EQ(calls, 1);
  EXPECT_EQ(got.body_view(), "async");
  files.handle(get("/../x"), [&](const response& r) {
    ++calls;
    EXPECT_EQ(r.status, 400U);
  });
  EXPECT_EQ(calls, 2);
}

TEST_F(StaticFilesTest, GarbagePathsNeverThrowOrEscape) {
  write("index.html", "shell");
  write("secret.txt", "secret", base_ / "outside");
  static_files files(options());
  std::mt19937 rng(1234);
  const std::string alphabet = "/.%2eEfF5cC00aZ\\?#~ \x01\xff";
  for (int i = 0; i < 2000; ++i) {
    std::string path = "/";
    const std::size_t len = rng() % 24;
    for (std::size_t k = 0; k < len; ++k)
      path += alphabet[rng() % alphabet.size()];
    const response res = files.serve(get(path, i % 3 == 0 ? "HEAD" : "GET"));
    EXPECT_TRUE(res.status == 200 || res.status == 400 || res.status == 404) << path;
    EXPECT_FALSE(contains(res.body_view(), "secret")) << path;
  }
}

TEST_F(StaticFilesTest, ConcurrentRequests) {
  for (int i = 0; i < 8; ++i)
    write("f" + std::to_string(i) + ".txt", text_of_size(3000 + i));
  static_options o = options();
  o.cache_bytes = 12000;  // forces evictions while threads race
  static_files files(o);
  std::atomic<int> wrong{0};
  std::vector<std::thread> threads;
  threads.reserve(4);
  for (int t = 0; t < 4; ++t) {
    threads.emplace_back([&, t] {
      for (int i = 0; i < 200; ++i) {
        const int n = (i + t) % 8;
        request req = get("/f" + std::to_string(n) + ".txt");
        if (i % 2 == 0) req.headers.add("Accept-Encoding", "gzip");
        const response res = files.serve(req);
        const std::string expected = text_of_size(3000 + static_cast<std::size_t>(n));
        const bool ok = res.headers.has("content-encoding") ? gunzip(res.body_view()) == expected
                                                            : res.body_view() == expected;
        if (res.status != 200 || !ok) ++wrong;
      }
    });
  }
  for (auto& th : threads)
    th.join();
  EXPECT_EQ(wrong.load(), 0);
}

}  // namespace
}  // namespace hw::http

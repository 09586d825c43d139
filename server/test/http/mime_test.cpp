#include "http/mime.hpp"

#include <gtest/gtest.h>

#include <string>
#include <utility>

namespace hw::http {
namespace {

TEST(MimeType, KnownExtensions) {
  const std::pair<const char*, const char*> cases[] = {
      {"index.html", "text/html; charset=utf-8"},
      {"old.htm", "text/html; charset=utf-8"},
      {"app.css", "text/css; charset=utf-8"},
      {"app.js", "text/javascript; charset=utf-8"},
      {"mod.mjs", "text/javascript; charset=utf-8"},
      {"data.json", "application/json; charset=utf-8"},
      {"app.js.map", "application/json; charset=utf-8"},
      {"robots.txt", "text/plain; charset=utf-8"},
      {"logo.svg", "image/svg+xml; charset=utf-8"},
      {"sitemap.xml", "application/xml; charset=utf-8"},
      {"site.webmanifest", "application/manifest+json; charset=utf-8"},
      {"a.png", "image/png"},
      {"a.jpg", "image/jpeg"},
      {"a.jpeg", "image/jpeg"},
      {"a.gif", "image/gif"},
      {"a.webp", "image/webp"},
      {"a.avif", "image/avif"},
      {"favicon.ico", "image/x-icon"},
      {"f.woff", "font/woff"},
      {"f.woff2", "font/woff2"},
      {"f.ttf", "font/ttf"},
      {"m.wasm", "application/wasm"},
      {"s.mp3", "audio/mpeg"},
      {"s.ogg", "audio/ogg"},
      {"s.opus", "audio/ogg"},
      {"s.wav", "audio/wav"},
      {"v.webm", "video/webm"},
      {"v.mp4", "video/mp4"},
      {"doc.pdf", "application/pdf"},
  };
  for (const auto& [name, type] : cases)
    EXPECT_EQ(mime_type(name), type) << name;
}

TEST(MimeType, IsCaseInsensitive) {
  EXPECT_EQ(mime_type("INDEX.HTML"), "text/html; charset=utf-8");
  EXPECT_EQ(mime_type("Photo.JpG"), "image/jpeg");
  EXPECT_EQ(mime_type("M.WASM"), "application/wasm");
}

TEST(MimeType, UsesTheLastExtensionOfTheLastSegment) {
  EXPECT_EQ(mime_type("_next/static/chunks/main-1a2b.js"), "text/javascript; charset=utf-8");
  EXPECT_EQ(mime_type("app.js.gz"), "application/octet-stream");
  EXPECT_EQ(mime_type("dir.html/file"), "application/octet-stream");
  EXPECT_EQ(mime_type("a.tar.gz"), "application/octet-stream");
}

TEST(MimeType, UnknownOrMissingExtensions) {
  EXPECT_EQ(mime_type(""), "application/octet-stream");
  EXPECT_EQ(mime_type("README"), "application/octet-stream");
  EXPECT_EQ(mime_type("file."), "application/octet-stream");
  EXPECT_EQ(mime_type("x.exe"), "application/octet-stream");
  EXPECT_EQ(mime_type(".htaccess"), "application/octet-stream");
}

TEST(MimeType, TextTypesCarryUtf8AndBinaryTypesDoNot) {
  for (const char* name : {"a.html", "a.css", "a.js", "a.txt", "a.json", "a.svg"}) {
    EXPECT_NE(std::string(mime_type(name)).find("; charset=utf-8"), std::string::npos) << name;
  }
  for (const char* name : {"a.png", "a.wasm", "a.woff2", "a.mp4", "a.pdf", "a.bin"}) {
    EXPECT_EQ(std::string(mime_type(name)).find("charset"), std::string::npos) << name;
  }
}

TEST(IsCompressible, TextLikeTypes) {
  for (const char* name : {"a.html", "a.css", "a.js", "a.mjs", "a.json", "a.map", "a.txt", "a.svg",
                           "a.xml", "a.webmanifest", "a.wasm", "a.ttf", "a.ico"}) {
    EXPECT_TRUE(is_compressible(mime_type(name))) << name;
  }
  EXPECT_TRUE(is_compressible("application/javascript"));
  EXPECT_TRUE(is_compressible("application/ld+json"));
  EXPECT_TRUE(is_compressible("Text/Plain ; charset=utf-8"));
}

TEST(IsCompressible, AlreadyCompressedTypes) {
  for (const char* name : {"a.png", "a.jpg", "a.gif", "a.webp", "a.avif", "a.woff", "a.woff2",
                           "a.mp3", "a.ogg", "a.opus", "a.webm", "a.mp4", "a.pdf", "a.bin"}) {
    EXPECT_FALSE(is_compressible(mime_type(name))) << name;
  }
  EXPECT_FALSE(is_compressible(""));
}

}  // namespace
}  // namespace hw::http

#include "app/file_types.hpp"

#include <gtest/gtest.h>

#include <set>
#include <sstream>
#include <string>
#include <vector>

namespace hw::app {
namespace {

std::vector<std::string> allowed_list() {
  std::vector<std::string> out;
  std::stringstream in(allowed_types_text());
  std::string item;
  while (std::getline(in, item, ',')) {
    if (!item.empty() && item.front() == ' ') item.erase(0, 1);
    out.push_back(item);
  }
  return out;
}

TEST(AppFileTypes, KindNames) {
  EXPECT_EQ(to_string(file_kind::image), "image");
  EXPECT_EQ(to_string(file_kind::video), "video");
  EXPECT_EQ(to_string(file_kind::audio), "audio");
  EXPECT_EQ(to_string(file_kind::voice), "voice");
  EXPECT_EQ(to_string(file_kind::document), "document");
  EXPECT_EQ(to_string(file_kind::archive), "archive");
}

TEST(AppFileTypes, TheAllowlistAsText) {
  const auto list = allowed_list();
  const std::set<std::string> unique(list.begin(), list.end());
  EXPECT_EQ(unique.size(), list.size());  // one row per detected type
  for (const char* t : {"image/jpeg",
                        "image/png",
                        "image/gif",
                        "image/webp",
                        "image/bmp",
                        "video/mp4",
                        "video/webm",
                        "video/ogg",
                        "video/quicktime",
                        "audio/mpeg",
                        "audio/ogg",
                        "audio/x-wav",
                        "audio/x-hx-aac-adts",
                        "audio/x-m4a",
                        "audio/mp4",
                        "application/pdf",
                        "text/plain",
                        "text/csv",
                        "application/json",
                        "application/msword",
                        "application/vnd.ms-excel",
                        "application/vnd.ms-powerpoint",
                        "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
                        "application/vnd.oasis.opendocument.text",
                        "application/zip",
                        "application/gzip",
                        "application/x-tar",
                        "application/x-7z-compressed"})
    EXPECT_TRUE(unique.count(t)) << t;
  for (const char* never : {"image/svg+xml", "text/html", "application/xhtml+xml", "text/xml",
                            "application/javascript", "text/javascript", "text/x-shellscript"})
    EXPECT_FALSE(unique.count(never)) << never;
}

// Every allowed row: a type it is served as, a kind, and inline only for media.
TEST(AppFileTypes, EveryAllowedTypeIsServedSafely) {
  for (const std::string& detected : allowed_list()) {
    const auto t = classify_file(detected, "", false);
    ASSERT_TRUE(t) << detected;
    EXPECT_FALSE(t->mime.empty());
    const bool media =
        t->kind == file_kind::image || t->kind == file_kind::audio || t->kind == file_kind::video;
    EXPECT_EQ(t->inline_ok, media) << detected;
    EXPECT_NE(t->kind, file_kind::voice) << detected;
    EXPECT_EQ(t->mime.find(';'), std::string::npos);
    EXPECT_NE(t->mime, "image/svg+xml");
    EXPECT_NE(t->mime, "text/html");
  }
}

TEST(AppFileTypes, ServedNamesForLibmagicsNames) {
  struct row {
    const char* detected;
    const char* served;
    file_kind kind;
  };
  for (const row& r : {row{"audio/x-wav", "audio/wav", file_kind::audio},
                       row{"audio/x-hx-aac-adts", "audio/aac", file_kind::audio},
                       row{"audio/x-m4a", "audio/mp4", file_kind::audio},
                       row{"image/x-ms-bmp", "image/bmp", file_kind::image},
                       row{"video/x-m4v", "video/mp4", file_kind::video},
                       row{"application/ogg", "audio/ogg", file_kind::audio},
                       row{"application/zip", "application/zip", file_kind::archive},
                       row{"text/csv", "text/csv", file_kind::document}}) {
    const auto t = classify_file(r.detected, "", false);
    ASSERT_TRUE(t) << r.detected;
    EXPECT_EQ(t->mime, r.served) << r.detected;
    EXPECT_EQ(t->kind, r.kind) << r.detected;
  }
}

TEST(AppFileTypes, RefusesEverythingElse) {
  for (const char* t : {"",
                        "image/svg+xml",
                        "text/html",
                        "application/xhtml+xml",
                        "text/xml",
                        "application/x-pie-executable",
                        "application/x-executable",
                        "application/x-sharedlib",
                        "application/vnd.microsoft.portable-executable",
                        "application/x-dosexec",
                        "text/x-shellscript",
                        "text/x-script.python",
                        "text/x-c",
                        "application/javascript",
                        "application/octet-stream",
                        "application/x-empty",
                        "application/x-ole-storage",
                        "application/CDFV2",
                        "application/encrypted",
                        "video/x-matroska",
                        "audio/flac",
                        "video/3gpp",
                        "image/tiff",
                        "application/x-bzip2",
                        "application/x-xz",
                        "application/vnd.ms-cab-compressed",
                        "application/java-archive",
                        "image",
                        "/",
                        "png",
                        "image/png/",
                        "image/pngx",
                        " image/svg+xml"})
    EXPECT_FALSE(classify_file(t, "", false)) << t;
  // The declared type never lets a refused type in.
  EXPECT_FALSE(classify_file("text/html", "text/plain", false));
  EXPECT_FALSE(classify_file("image/svg+xml", "image/png", false));
  EXPECT_FALSE(classify_file("application/x-pie-executable", "image/png", false));
  EXPECT_FALSE(classify_file("application/octet-stream", "application/zip", false));
}

TEST(AppFileTypes, DetectedTypesAreComparedWithoutCaseOrParameters) {
  const auto t = classify_file("IMAGE/PNG; charset=binary", "", false);
  ASSERT_TRUE(t);
  EXPECT_EQ(t->mime, "image/png");
}

TEST(AppFileTypes, TheDeclaredTypeRefinesWithinTheContainer) {
  struct row {
    const char* detected;
    const char* declared;
    const char* served;
    file_kind kind;
  };
  for (const row& r : {
           row{"video/webm", "audio/webm", "audio/webm", file_kind::audio},
           row{"video/webm", "Audio/WebM; codecs=\"opus\"", "audio/webm", file_kind::audio},
           row{"video/webm", " audio/webm ;codecs=opus", "audio/webm", file_kind::audio},
           row{"video/webm", "video/webm", "video/webm", file_kind::video},
           row{"video/webm", "audio/ogg", "video/webm", file_kind::video},  // another container
           row{"video/webm", "", "video/webm", file_kind::video},
           row{"video/ogg", "audio/ogg", "audio/ogg", file_kind::audio},
           row{"video/ogg", "audio/opus", "audio/ogg", file_kind::audio},
           row{"audio/ogg", "video/ogg", "video/ogg", file_kind::video},
           row{"audio/ogg", "audio/opus", "audio/ogg", file_kind::audio},
           row{"application/ogg", "video/ogg", "video/ogg", file_kind::video},
           row{"application/ogg", "audio/ogg", "audio/ogg", file_kind::audio},
           row{"video/mp4", "audio/mp4", "audio/mp4", file_kind::audio},
           row{"video/mp4", "audio/x-m4a", "audio/mp4", file_kind::audio},
           row{"video/mp4", "audio/mpeg", "video/mp4", file_kind::video},  // not an MP4 type
           row{"text/plain", "text/csv", "text/csv", file_kind::document},
           row{"text/plain", "text/csv; charset=utf-8", "text/csv", file_kind::document},
           row{"text/plain", "application/json", "application/json", file_kind::document},
           row{"text/plain", "text/html", "text/plain", file_kind::document},
           row{"text/plain", "image/svg+xml", "text/plain", file_kind::document},
           row{"text/csv", "text/plain", "text/csv", file_kind::document},
           row{"application/zip",
               "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
               "application/zip", file_kind::archive},  // a zip stays a zip
           row{"image/png", "image/jpeg", "image/png", file_kind::image},
           row{"audio/mpeg", "video/mp4", "audio/mpeg", file_kind::audio},
       }) {
    const auto t = classify_file(r.detected, r.declared, false);
    ASSERT_TRUE(t) << r.detected << " + " << r.declared;
    EXPECT_EQ(t->mime, r.served) << r.detected << " + " << r.declared;
    EXPECT_EQ(t->kind, r.kind) << r.detected << " + " << r.declared;
    EXPECT_EQ(t->inline_ok, r.kind != file_kind::document && r.kind != file_kind::archive);
  }
}

TEST(AppFileTypes, VoiceNotesAreAudioOnly) {
  struct row {
    const char* detected;
    const char* declared;
    const char* served;  // "" when refused
  };
  for (const row& r : {
           row{"video/webm", "audio/webm;codecs=opus", "audio/webm"},  // Chromium, Firefox
           row{"audio/ogg", "audio/ogg;codecs=opus", "audio/ogg"},     // Firefox
           row{"video/mp4", "audio/mp4", "audio/mp4"},                 // Safari
           row{"audio/x-m4a", "", "audio/mp4"},
           row{"audio/mpeg", "", "audio/mpeg"},
           row{"audio/x-wav", "application/octet-stream", "audio/wav"},
           row{"audio/x-hx-aac-adts", "", "audio/aac"},
           row{"application/ogg", "", "audio/ogg"},
           row{"video/webm", "", ""},  // a WebM nobody said was audio
           row{"video/webm", "video/webm", ""},
           row{"video/mp4", "", ""},
           row{"video/ogg", "", ""},
           row{"audio/ogg", "video/ogg", ""},
           row{"video/quicktime", "audio/mp4", ""},
           row{"image/png", "audio/webm", ""},
           row{"application/pdf", "audio/mpeg", ""},
           row{"text/plain", "audio/webm", ""},
           row{"text/html", "audio/webm", ""},
       }) {
    const auto t = classify_file(r.detected, r.declared, true);
    if (std::string(r.served).empty()) {
      EXPECT_FALSE(t) << r.detected << " + " << r.declared;
      continue;
    }
    ASSERT_TRUE(t) << r.detected << " + " << r.declared;
    EXPECT_EQ(t->mime, r.served) << r.detected;
    EXPECT_EQ(t->kind, file_kind::voice) << r.detected;
    EXPECT_TRUE(t->inline_ok);
  }
}

TEST(AppFileTypes, HostileDeclaredTypesAreHarmless) {
  const std::string huge(100000, 'a');
  for (const std::string& declared :
       {huge, std::string("\0\0\0", 3), std::string(";;;;"), std::string("audio/webm\r\nX: y"),
        std::string("\xFF\xFE"), std::string("audio/webm\0", 11)}) {
    const auto t = classify_file("video/webm", declared, false);
    ASSERT_TRUE(t);
    EXPECT_EQ(t->mime, "video/webm");
  }
}

}  // namespace
}  // namespace hw::app

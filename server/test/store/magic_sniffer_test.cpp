// magic_sniffer over real samples of every allowlisted type and of refused ones: pins what
// libmagic (5.44, Debian 12) answers for each, and what the allowlist then makes of it.

#include "store/blob/magic_sniffer.hpp"

#include <gtest/gtest.h>

#include <algorithm>
#include <atomic>
#include <cstdint>
#include <cstdlib>
#include <filesystem>
#include <memory>
#include <set>
#include <string>
#include <thread>
#include <utility>
#include <vector>

#include "app/file_types.hpp"
#include "core/random.hpp"
#include "store/blob/disk_blob_store.hpp"
#include "support/file_samples.hpp"

namespace hw::store::blob {
namespace {

namespace fs = std::filesystem;
namespace s = test::samples;

struct sample {
  const char* name;
  std::string bytes;
  const char* detected;  // libmagic's answer
  const char* served;    // classify_file's mime with no declared type; "" when refused
  const char* kind;
};

std::vector<sample> samples() {
  return {
      {"jpeg", s::jpeg(), "image/jpeg", "image/jpeg", "image"},
      {"png", s::png(), "image/png", "image/png", "image"},
      {"gif", s::gif(), "image/gif", "image/gif", "image"},
      {"webp", s::webp(), "image/webp", "image/webp", "image"},
      {"bmp", s::bmp(), "image/bmp", "image/bmp", "image"},
      {"mp4 (isom)", s::iso_media("isom"), "video/mp4", "video/mp4", "video"},
      {"mp4 (mp42)", s::iso_media("mp42"), "video/mp4", "video/mp4", "video"},
      {"mp4 (iso5, Safari's MediaRecorder)", s::iso_media("iso5"), "video/mp4", "video/mp4",
       "video"},
      {"m4v", s::iso_media("M4V "), "video/x-m4v", "video/mp4", "video"},
      {"webm", s::webm(), "video/webm", "video/webm", "video"},
      {"ogg theora", s::ogg_theora(), "video/ogg", "video/ogg", "video"},
      {"quicktime", s::iso_media("qt  "), "video/quicktime", "video/quicktime", "video"},
      {"mp3", s::mp3(), "audio/mpeg", "audio/mpeg", "audio"},
      {"ogg vorbis", s::ogg_vorbis(), "audio/ogg", "audio/ogg", "audio"},
      {"ogg opus", s::ogg_opus(), "audio/ogg", "audio/ogg", "audio"},
      {"wav", s::wav(), "audio/x-wav", "audio/wav", "audio"},
      {"aac (adts)", s::aac(), "audio/x-hx-aac-adts", "audio/aac", "audio"},
      {"m4a", s::iso_media("M4A "), "audio/x-m4a", "audio/mp4", "audio"},
      {"m4b/f4a", s::iso_media("F4A "), "audio/mp4", "audio/mp4", "audio"},
      {"pdf", s::pdf(), "application/pdf", "application/pdf", "document"},
      {"text", s::text(), "text/plain", "text/plain", "document"},
      {"csv", s::csv(), "text/csv", "text/csv", "document"},
      {"json", s::json(), "application/json", "application/json", "document"},
      {"doc", s::doc(), "application/msword", "application/msword", "document"},
      {"xls", s::xls(), "application/vnd.ms-excel", "application/vnd.ms-excel", "document"},
      {"ppt", s::ppt(), "application/vnd.ms-powerpoint", "application/vnd.ms-powerpoint",
       "document"},
      {"ole, other application", s::office_other(), "application/vnd.ms-office",
       "application/vnd.ms-office", "document"},
      {"docx", s::ooxml("word/document.xml"),
       "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
       "application/vnd.openxmlformats-officedocument.wordprocessingml.document", "document"},
      {"xlsx", s::ooxml("xl/workbook.xml"),
       "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
       "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", "document"},
      {"pptx", s::ooxml("ppt/presentation.xml"),
       "application/vnd.openxmlformats-officedocument.presentationml.presentation",
       "application/vnd.openxmlformats-officedocument.presentationml.presentation", "document"},
      {"odt", s::odf("application/vnd.oasis.opendocument.text"),
       "application/vnd.oasis.opendocument.text", "application/vnd.oasis.opendocument.text",
       "document"},
      {"ods", s::odf("application/vnd.oasis.opendocument.spreadsheet"),
       "application/vnd.oasis.opendocument.spreadsheet",
       "application/vnd.oasis.opendocument.spreadsheet", "document"},
      {"odp", s::odf("application/vnd.oasis.opendocument.presentation"),
       "application/vnd.oasis.opendocument.presentation",
       "application/vnd.oasis.opendocument.presentation", "document"},
      {"odg", s::odf("application/vnd.oasis.opendocument.graphics"),
       "application/vnd.oasis.opendocument.graphics", "application/vnd.oasis.opendocument.graphics",
       "document"},
      {"zip", s::plain_zip(), "application/zip", "application/zip", "archive"},
      {"gzip", s::gzip(), "application/gzip", "application/gzip", "archive"},
      {"tar", s::tar(), "application/x-tar", "application/x-tar", "archive"},
      {"7z", s::seven_zip(), "application/x-7z-compressed", "application/x-7z-compressed",
       "archive"},
      // Refused.
      // `file` says application/x-pie-executable: it reads the dynamic section through the
      // descriptor; from a buffer libmagic cannot, and names any PIE a shared library.
      {"elf (/bin/true)", s::elf(), "application/x-sharedlib", "", ""},
      {"pe (windows exe)", s::pe(), "application/vnd.microsoft.portable-executable", "", ""},
      {"html", s::html(), "text/html", "", ""},
      {"svg", s::svg(), "image/svg+xml", "", ""},
      {"shell script", s::shell_script(), "text/x-shellscript", "", ""},
      {"ole, unknown", s::ole_unknown(), "application/x-ole-storage", "", ""},
      {"empty", "", "application/x-empty", "", ""},
      {"matroska", s::matroska(), "video/x-matroska", "", ""},
  };
}

class MagicSniffer : public ::testing::Test {
 protected:
  void SetUp() override {
    std::string error;
    sniffer = magic_sniffer::create(error);
    ASSERT_TRUE(sniffer) << error;
    EXPECT_EQ(error, "");
  }
  void TearDown() override {
    std::error_code ec;
    fs::remove_all(dir, ec);
  }
  // The sample's bytes as a committed blob, sniffed through a reader as production does.
  std::string sniff_blob(const std::string& bytes) {
    auto w = store.create();
    EXPECT_TRUE(w);
    EXPECT_TRUE(w->append(std::span<const char>(bytes)));
    const std::string id = std::string(16, '0') + std::to_string(1000000000000000ULL + ++count);
    EXPECT_TRUE(w->commit(id));
    auto r = store.open(id);
    EXPECT_TRUE(r);
    return sniffer->sniff(*r);
  }

  std::unique_ptr<magic_sniffer> sniffer;
  fs::path dir = fs::temp_directory_path() / ("hallway-sniff-" + core::random_token(16));
  disk_blob_store store{dir};
  unsigned count = 0;
};

TEST_F(MagicSniffer, NamesEverySampleAsLibmagicDoes) {
  for (const sample& x : samples()) {
    EXPECT_EQ(sniffer->sniff_bytes(x.bytes), x.detected) << x.name;
    EXPECT_EQ(sniff_blob(x.bytes), x.detected) << x.name;
  }
}

TEST_F(MagicSniffer, TheAllowlistTakesExactlyTheAllowedSamples) {
  for (const sample& x : samples()) {
    const auto t = app::classify_file(sniffer->sniff_bytes(x.bytes), "", false);
    if (std::string(x.served).empty()) {
      EXPECT_FALSE(t) << x.name << " served as " << (t ? t->mime : "");
      continue;
    }
    ASSERT_TRUE(t) << x.name;
    EXPECT_EQ(t->mime, x.served) << x.name;
    EXPECT_EQ(app::to_string(t->kind), x.kind) << x.name;
  }
}

// The content decides, whatever the client declares.
TEST_F(MagicSniffer, ALyingDeclaredTypeChangesNothing) {
  struct lie {
    std::string bytes;
    const char* declared;
  };
  const std::vector<lie> refused{{s::elf(), "image/png"},  {s::pe(), "application/pdf"},
                                 {s::html(), "image/png"}, {s::html(), "text/plain"},
                                 {s::svg(), "image/png"},  {s::shell_script(), "text/plain"}};
  for (const lie& l : refused)
    EXPECT_FALSE(app::classify_file(sniffer->sniff_bytes(l.bytes), l.declared, false))
        << l.declared;

  // A PNG renamed and declared as a PDF is still a PNG; a PDF declared as an image stays a PDF.
  auto png = app::classify_file(sniffer->sniff_bytes(s::png()), "application/pdf", false);
  ASSERT_TRUE(png);
  EXPECT_EQ(png->mime, "image/png");
  auto pdf = app::classify_file(sniffer->sniff_bytes(s::pdf()), "image/jpeg", false);
  ASSERT_TRUE(pdf);
  EXPECT_EQ(pdf->mime, "application/pdf");
  EXPECT_FALSE(pdf->inline_ok);
  // An MP4 declared audio becomes audio/mp4 (a refinement within the container), a WebM too.
  auto m4a = app::classify_file(sniffer->sniff_bytes(s::iso_media("iso5")), "audio/mp4", true);
  ASSERT_TRUE(m4a);
  EXPECT_EQ(m4a->mime, "audio/mp4");
  EXPECT_EQ(m4a->kind, app::file_kind::voice);
  auto voice = app::classify_file(sniffer->sniff_bytes(s::webm()), "audio/webm;codecs=opus", true);
  ASSERT_TRUE(voice);
  EXPECT_EQ(voice->mime, "audio/webm");
  // A PNG is no voice note, whatever it claims.
  EXPECT_FALSE(app::classify_file(sniffer->sniff_bytes(s::png()), "audio/webm", true));
}

// A reader over bytes in memory that hands out at most `step` bytes per read and records how
// far it was read.
class recording_reader final : public app::blob_store::reader {
 public:
  recording_reader(std::string bytes, std::size_t step) : bytes_(std::move(bytes)), step_(step) {}
  [[nodiscard]] std::uint64_t size() const override { return bytes_.size(); }
  std::size_t read(std::uint64_t offset, std::span<char> out) override {
    if (offset >= bytes_.size()) return 0;
    const std::size_t n = std::min({out.size(), step_, bytes_.size() - offset});
    std::copy_n(bytes_.data() + offset, n, out.data());
    furthest = std::max<std::uint64_t>(furthest, offset + n);
    return n;
  }
  std::uint64_t furthest = 0;

 private:
  std::string bytes_;
  std::size_t step_;
};

TEST_F(MagicSniffer, ReadsTheFirstMebibyteOnly) {
  std::string big = s::png();
  big.resize(3 * 1024 * 1024, 'x');
  recording_reader r(big, 1 << 16);
  EXPECT_EQ(sniffer->sniff(r), "image/png");
  EXPECT_EQ(r.furthest, magic_sniffer::sniff_limit);
  EXPECT_EQ(sniff_blob(big), "image/png");
}

TEST_F(MagicSniffer, ReadsThroughShortReads) {
  // A reader that returns 3 bytes at a time still gets the whole start looked at: the OLE
  // directory of a .doc sits 1 KiB in.
  recording_reader r(s::doc(), 3);
  EXPECT_EQ(sniffer->sniff(r), "application/msword");
  EXPECT_EQ(r.furthest, s::doc().size());
  recording_reader empty("", 3);
  EXPECT_EQ(sniffer->sniff(empty), "application/x-empty");
}

TEST_F(MagicSniffer, AReadErrorIsNoContent) {
  // A reader that fails at once (0 bytes) gives libmagic nothing: "empty", which no upload
  // may be.
  recording_reader broken(s::png(), 0);
  EXPECT_EQ(sniffer->sniff(broken), "application/x-empty");
  EXPECT_FALSE(app::classify_file("application/x-empty", "image/png", false));
}

// Without its database libmagic cannot work: create() says so (a startup error), and a thread
// that cannot load it refuses everything rather than guessing.
TEST_F(MagicSniffer, AMissingDatabaseIsAnError) {
  std::string error = "unchanged";
  std::unique_ptr<magic_sniffer> none;
  std::string fallback;
  std::thread fresh([&] {  // a thread without a loaded handle yet
    ::setenv("MAGIC", "/nonexistent/hallway-magic.mgc", 1);
    none = magic_sniffer::create(error);
    fallback = sniffer->sniff_bytes(s::png());
    ::unsetenv("MAGIC");
  });
  fresh.join();
  EXPECT_EQ(none, nullptr);
  EXPECT_NE(error.find("libmagic"), std::string::npos) << error;
  EXPECT_EQ(fallback, "application/octet-stream");
  EXPECT_FALSE(app::classify_file(fallback, "image/png", false));
  // This thread's handle was loaded before, and still works.
  EXPECT_EQ(sniffer->sniff_bytes(s::png()), "image/png");
}

TEST_F(MagicSniffer, SniffsOnManyThreadsAtOnce) {
  const auto all = samples();
  std::atomic<unsigned> wrong{0};
  std::vector<std::thread> pool;
  for (unsigned t = 0; t < 6; ++t) {
    pool.emplace_back([&, t] {
      for (unsigned round = 0; round < 3; ++round) {
        for (std::size_t i = t; i < all.size(); i += 2) {
          if (sniffer->sniff_bytes(all[i].bytes) != all[i].detected) ++wrong;
        }
      }
    });
  }
  for (auto& th : pool)
    th.join();
  EXPECT_EQ(wrong.load(), 0U);
}

}  // namespace
}  // namespace hw::store::blob

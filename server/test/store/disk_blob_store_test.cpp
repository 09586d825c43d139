// disk_blob_store beyond the blob_store contract (blob_store_contract_test.cpp): its files,
// permissions, what it leaves alone, and I/O errors.

#include "store/blob/disk_blob_store.hpp"

#include <gtest/gtest.h>
#include <sys/resource.h>
#include <sys/stat.h>

#include <csignal>
#include <filesystem>
#include <fstream>
#include <string>

#include "core/random.hpp"

namespace hw::store::blob {
namespace {

namespace fs = std::filesystem;

class DiskBlobStore : public ::testing::Test {
 protected:
  fs::path root = fs::temp_directory_path() / ("hallway-disk-blob-" + core::random_token(16));
  fs::path dir = root / "data" / "files";

  void TearDown() override {
    std::error_code ec;
    fs::permissions(root, fs::perms::owner_all, fs::perm_options::add, ec);
    fs::remove_all(root, ec);
  }
  static unsigned mode_of(const fs::path& p) {
    struct stat st {};
    EXPECT_EQ(::stat(p.c_str(), &st), 0) << p;
    return st.st_mode & 07777U;
  }
  static void touch(const fs::path& p, const std::string& content = "x") {
    std::ofstream(p, std::ios::binary) << content;
  }
  static std::size_t entries(const fs::path& p) {
    return static_cast<std::size_t>(
        std::distance(fs::directory_iterator(p), fs::directory_iterator()));
  }
};

const std::string id_a = "0123456789abcdef0123456789abcdef";
const std::string id_b = "fedcba9876543210fedcba9876543210";

TEST(DiskBlobId, OnlyThirtyTwoLowerCaseHexDigits) {
  EXPECT_TRUE(is_blob_id(id_a));
  EXPECT_TRUE(is_blob_id(std::string(32, '0')));
  EXPECT_TRUE(is_blob_id(std::string(32, 'f')));
  EXPECT_FALSE(is_blob_id(""));
  EXPECT_FALSE(is_blob_id(std::string(31, '0')));
  EXPECT_FALSE(is_blob_id(std::string(33, '0')));
  EXPECT_FALSE(is_blob_id(std::string(32, 'F')));
  EXPECT_FALSE(is_blob_id(std::string(31, '0') + "g"));
  EXPECT_FALSE(is_blob_id(std::string(31, '0') + "/"));
  EXPECT_FALSE(is_blob_id(std::string(31, '0') + '\0'));
  EXPECT_FALSE(is_blob_id("tmp"));
}

TEST_F(DiskBlobStore, CreatesPrivateDirectories) {
  disk_blob_store store(dir);
  EXPECT_EQ(store.error(), "");
  EXPECT_EQ(store.dir(), dir);
  EXPECT_EQ(mode_of(dir), 0700U);
  EXPECT_EQ(mode_of(dir / "tmp"), 0700U);
}

TEST_F(DiskBlobStore, TightensAnExistingDirectory) {
  fs::create_directories(dir);
  fs::permissions(dir, fs::perms::all, fs::perm_options::replace);
  disk_blob_store store(dir);
  EXPECT_EQ(store.error(), "");
  EXPECT_EQ(mode_of(dir), 0700U);
}

TEST_F(DiskBlobStore, ReportsAnUnusableDirectory) {
  fs::create_directories(root);
  touch(root / "plain-file");
  disk_blob_store store(root / "plain-file" / "files");
  EXPECT_NE(store.error(), "");
  EXPECT_EQ(store.create(), nullptr);
  EXPECT_EQ(store.open(id_a), nullptr);
  EXPECT_TRUE(store.list().empty());
  EXPECT_EQ(store.remove_all(), 0U);

  disk_blob_store on_a_file(root / "plain-file");
  EXPECT_NE(on_a_file.error(), "");
  EXPECT_EQ(on_a_file.create(), nullptr);
}

TEST_F(DiskBlobStore, BlobsArePrivateFilesNamedByTheirIds) {
  disk_blob_store store(dir);
  auto w = store.create();
  ASSERT_TRUE(w);
  ASSERT_TRUE(w->append(std::span<const char>("hello", 5)));
  ASSERT_EQ(entries(dir / "tmp"), 1U);
  const fs::path partial = fs::directory_iterator(dir / "tmp")->path();
  EXPECT_EQ(mode_of(partial), 0600U);
  ASSERT_TRUE(w->commit(id_a));
  EXPECT_FALSE(fs::exists(partial));
  EXPECT_EQ(mode_of(dir / id_a), 0600U);
  EXPECT_EQ(fs::file_size(dir / id_a), 5U);
  EXPECT_EQ(entries(dir), 2U);  // the blob and tmp/
}

TEST_F(DiskBlobStore, RemoveAllSparesFilesItDidNotMake) {
  disk_blob_store store(dir);
  touch(dir / "notes.txt");             // not an id: never a blob of ours
  fs::create_directory(dir / "sub");    // nor is a directory
  touch(dir / id_a);                    // a blob a crash left
  touch(dir / "tmp" / "half-written");  // a partial blob a crash left
  EXPECT_EQ(store.list(), std::vector<std::string>{id_a});
  EXPECT_EQ(store.remove_all(), 2U);
  EXPECT_TRUE(fs::exists(dir / "notes.txt"));
  EXPECT_TRUE(fs::exists(dir / "sub"));
  EXPECT_FALSE(fs::exists(dir / id_a));
  EXPECT_EQ(entries(dir / "tmp"), 0U);
}

TEST_F(DiskBlobStore, OpenRefusesWhatIsNotARegularFile) {
  disk_blob_store store(dir);
  touch(root / "outside", "secret");
  fs::create_symlink(root / "outside", dir / id_a);
  fs::create_directory(dir / id_b);
  EXPECT_EQ(store.open(id_a), nullptr);
  EXPECT_EQ(store.open(id_b), nullptr);
  EXPECT_TRUE(store.list().empty());
}

TEST_F(DiskBlobStore, KnowsTheFreeSpace) {
  disk_blob_store store(dir);
  const auto free = store.free_bytes();
  ASSERT_TRUE(free.has_value());
  EXPECT_GT(*free, 0U);
  const fs::space_info space = fs::space(dir);
  // Both measure the same volume; other writers may move it a little between the calls.
  EXPECT_NEAR(static_cast<double>(*free), static_cast<double>(space.available), 64.0 * 1024 * 1024);
}

// A write error (here: the file size limit, as a full disk would) ends the writer and frees
// its partial blob at once.
TEST_F(DiskBlobStore, AWriteErrorRemovesThePartialBlob) {
  disk_blob_store store(dir);
  auto w = store.create();
  ASSERT_TRUE(w);
  rlimit old{};
  ASSERT_EQ(::getrlimit(RLIMIT_FSIZE, &old), 0);
  const auto old_handler = std::signal(SIGXFSZ, SIG_IGN);  // EFBIG instead of a signal
  rlimit small = old;
  small.rlim_cur = 64 * 1024;
  ASSERT_EQ(::setrlimit(RLIMIT_FSIZE, &small), 0);
  const std::string big(256 * 1024, 'x');
  const bool appended = w->append(std::span<const char>(big));
  ::setrlimit(RLIMIT_FSIZE, &old);
  std::signal(SIGXFSZ, old_handler);
  EXPECT_FALSE(appended);
  EXPECT_EQ(entries(dir / "tmp"), 0U);
  EXPECT_FALSE(w->append(std::span<const char>("more", 4)));
  EXPECT_FALSE(w->commit(id_a));
  EXPECT_EQ(store.open(id_a), nullptr);
}

}  // namespace
}  // namespace hw::store::blob

// The contract of app::blob_store (app/blobs.hpp), run against every implementation. To add
// one: write a fixture like disk_store_fixture (make() a fresh empty store, partial_blobs() the
// count of partial blobs it holds) and add it to `implementations`.

#include <gtest/gtest.h>

#include <algorithm>
#include <array>
#include <atomic>
#include <cstdint>
#include <filesystem>
#include <memory>
#include <set>
#include <string>
#include <thread>
#include <vector>

#include "app/blobs.hpp"
#include "core/random.hpp"
#include "store/blob/disk_blob_store.hpp"

namespace hw::store::blob {
namespace {

namespace fs = std::filesystem;

// A fresh directory under the system temp dir, removed with the fixture.
fs::path fresh_dir() {
  return fs::temp_directory_path() / ("hallway-blob-test-" + core::random_token(16));
}

struct disk_store_fixture {
  fs::path dir = fresh_dir();
  disk_store_fixture() = default;
  disk_store_fixture(const disk_store_fixture&) = delete;
  disk_store_fixture& operator=(const disk_store_fixture&) = delete;
  ~disk_store_fixture() {
    std::error_code ec;
    fs::remove_all(dir, ec);
  }
  std::unique_ptr<app::blob_store> make() { return std::make_unique<disk_blob_store>(dir); }
  std::size_t partial_blobs() {
    std::size_t n = 0;
    std::error_code ec;
    for (fs::directory_iterator it(dir / "tmp", ec), end; !ec && it != end; it.increment(ec))
      ++n;
    return n;
  }
};

using implementations = ::testing::Types<disk_store_fixture>;

template <class Fixture>
class BlobStoreContract : public ::testing::Test {
 protected:
  Fixture fixture;
  std::unique_ptr<app::blob_store> store = fixture.make();

  // Writes `data` (in chunks of `chunk` bytes) and commits it under `id`.
  bool put(const std::string& id, const std::string& data, std::size_t chunk = 7) {
    auto w = store->create();
    if (!w) return false;
    for (std::size_t i = 0; i < data.size(); i += chunk) {
      if (!w->append(std::span<const char>(data).subspan(i, std::min(chunk, data.size() - i))))
        return false;
    }
    return w->commit(id);
  }
  std::string read_all(app::blob_store::reader& r) {
    std::string out(static_cast<std::size_t>(r.size()), '\0');
    const std::size_t n = r.read(0, out);
    out.resize(n);
    return out;
  }
};
TYPED_TEST_SUITE(BlobStoreContract, implementations);

std::string id_of(unsigned n) {
  std::string id = std::to_string(n);
  return std::string(32 - id.size(), 'a') + id;
}

std::string pattern(std::size_t size, unsigned seed) {
  std::string s(size, '\0');
  for (std::size_t i = 0; i < size; ++i)
    s[i] = static_cast<char>((i * 131 + seed * 7 + (i >> 8)) & 0xFFU);
  return s;
}

TYPED_TEST(BlobStoreContract, WritesCommitsAndReadsBack) {
  const std::string data = pattern(10000, 1);
  auto w = this->store->create();
  ASSERT_TRUE(w);
  EXPECT_EQ(w->written(), 0U);
  ASSERT_TRUE(w->append(std::span<const char>(data).first(4000)));
  EXPECT_EQ(w->written(), 4000U);
  ASSERT_TRUE(w->append(std::span<const char>(data).subspan(4000)));
  ASSERT_TRUE(w->append({}));  // an empty chunk is fine
  EXPECT_EQ(w->written(), 10000U);
  ASSERT_TRUE(w->commit(id_of(1)));
  auto r = this->store->open(id_of(1));
  ASSERT_TRUE(r);
  EXPECT_EQ(r->size(), 10000U);
  EXPECT_EQ(this->read_all(*r), data);
}

TYPED_TEST(BlobStoreContract, ReadsAtOffsets) {
  const std::string data = pattern(5000, 2);
  ASSERT_TRUE(this->put(id_of(2), data, 1000));
  auto r = this->store->open(id_of(2));
  ASSERT_TRUE(r);
  std::array<char, 100> buf{};
  for (const std::uint64_t at : {0U, 1U, 999U, 1000U, 2500U, 4899U, 4900U}) {
    ASSERT_EQ(r->read(at, buf), 100U) << at;
    EXPECT_EQ(std::string(buf.data(), 100), data.substr(at, 100)) << at;
  }
  EXPECT_EQ(r->read(4950, buf), 50U);  // short at the end
  EXPECT_EQ(std::string(buf.data(), 50), data.substr(4950));
  EXPECT_EQ(r->read(4999, buf), 1U);
  EXPECT_EQ(r->read(5000, buf), 0U);  // at the end
  EXPECT_EQ(r->read(5001, buf), 0U);  // past it
  EXPECT_EQ(r->read(UINT64_MAX, buf), 0U);
  EXPECT_EQ(r->read(10, std::span<char>()), 0U);
  // Reads are independent of each other (no hidden cursor).
  ASSERT_EQ(r->read(3000, buf), 100U);
  EXPECT_EQ(std::string(buf.data(), 100), data.substr(3000, 100));
}

TYPED_TEST(BlobStoreContract, EmptyBlob) {
  ASSERT_TRUE(this->put(id_of(3), ""));
  auto r = this->store->open(id_of(3));
  ASSERT_TRUE(r);
  EXPECT_EQ(r->size(), 0U);
  std::array<char, 8> buf{};
  EXPECT_EQ(r->read(0, buf), 0U);
}

TYPED_TEST(BlobStoreContract, InvisibleUntilCommitted) {
  auto w = this->store->create();
  ASSERT_TRUE(w);
  ASSERT_TRUE(w->append(std::span<const char>("abc", 3)));
  EXPECT_FALSE(this->store->open(id_of(4)));
  EXPECT_TRUE(this->store->list().empty());
  EXPECT_FALSE(this->store->remove(id_of(4)));
  ASSERT_TRUE(w->commit(id_of(4)));
  EXPECT_EQ(this->store->list(), std::vector<std::string>{id_of(4)});
}

TYPED_TEST(BlobStoreContract, DestroyingAWriterLeavesNothing) {
  {
    auto w = this->store->create();
    ASSERT_TRUE(w);
    ASSERT_TRUE(w->append(std::span<const char>(pattern(100000, 5))));
    EXPECT_EQ(this->fixture.partial_blobs(), 1U);
  }
  EXPECT_EQ(this->fixture.partial_blobs(), 0U);
  EXPECT_TRUE(this->store->list().empty());
  // Nor does a writer destroyed before writing anything.
  { auto w = this->store->create(); }
  EXPECT_EQ(this->fixture.partial_blobs(), 0U);
}

TYPED_TEST(BlobStoreContract, WriterIsDoneAfterCommit) {
  auto w = this->store->create();
  ASSERT_TRUE(w);
  ASSERT_TRUE(w->append(std::span<const char>("abc", 3)));
  ASSERT_TRUE(w->commit(id_of(6)));
  EXPECT_FALSE(w->append(std::span<const char>("def", 3)));
  EXPECT_FALSE(w->commit(id_of(7)));
  w.reset();
  auto r = this->store->open(id_of(6));
  ASSERT_TRUE(r);
  EXPECT_EQ(this->read_all(*r), "abc");  // destroying the writer kept the committed blob
  EXPECT_FALSE(this->store->open(id_of(7)));
  EXPECT_EQ(this->fixture.partial_blobs(), 0U);
}

TYPED_TEST(BlobStoreContract, RefusesBadIds) {
  const std::vector<std::string> bad{"",
                                     "a",
                                     std::string(31, 'a'),
                                     std::string(33, 'a'),
                                     std::string(32, 'A'),
                                     std::string(31, 'a') + "g",
                                     "../../../../../../../../etc/passwd",
                                     std::string(30, 'a') + "/.",
                                     "tmp",
                                     std::string(31, 'a') + '\0',
                                     std::string(31, 'a') + "\xC3",
                                     " " + std::string(31, 'a'),
                                     "0123456789ABCDEF0123456789abcdef"};
  for (const std::string& id : bad) {
    auto w = this->store->create();
    ASSERT_TRUE(w);
    ASSERT_TRUE(w->append(std::span<const char>("abc", 3)));
    EXPECT_FALSE(w->commit(id)) << id;
    EXPECT_EQ(this->fixture.partial_blobs(), 0U) << id;  // a failed commit removes the partial
    EXPECT_FALSE(this->store->open(id)) << id;
    EXPECT_FALSE(this->store->remove(id)) << id;
  }
  EXPECT_TRUE(this->store->list().empty());
}

TYPED_TEST(BlobStoreContract, RefusesAnIdInUseWithoutOverwriting) {
  ASSERT_TRUE(this->put(id_of(8), "first"));
  EXPECT_FALSE(this->put(id_of(8), "second"));
  auto r = this->store->open(id_of(8));
  ASSERT_TRUE(r);
  EXPECT_EQ(this->read_all(*r), "first");
  EXPECT_EQ(this->fixture.partial_blobs(), 0U);
  // Once removed, the id may be used again.
  ASSERT_TRUE(this->store->remove(id_of(8)));
  ASSERT_TRUE(this->put(id_of(8), "third"));
  EXPECT_EQ(this->read_all(*this->store->open(id_of(8))), "third");
}

TYPED_TEST(BlobStoreContract, RemoveAndList) {
  for (unsigned i = 10; i < 15; ++i)
    ASSERT_TRUE(this->put(id_of(i), pattern(i, i)));
  auto ids = this->store->list();
  std::sort(ids.begin(), ids.end());
  EXPECT_EQ(ids, (std::vector<std::string>{id_of(10), id_of(11), id_of(12), id_of(13), id_of(14)}));
  EXPECT_TRUE(this->store->remove(id_of(12)));
  EXPECT_FALSE(this->store->remove(id_of(12)));
  EXPECT_FALSE(this->store->open(id_of(12)));
  EXPECT_EQ(this->store->list().size(), 4U);
  EXPECT_TRUE(this->store->open(id_of(13)));
}

TYPED_TEST(BlobStoreContract, RemoveAllTakesCommittedAndPartialBlobs) {
  for (unsigned i = 20; i < 23; ++i)
    ASSERT_TRUE(this->put(id_of(i), "x"));
  auto a = this->store->create();
  auto b = this->store->create();
  ASSERT_TRUE(a && b);
  ASSERT_TRUE(a->append(std::span<const char>("partial", 7)));
  EXPECT_EQ(this->store->remove_all(), 5U);
  EXPECT_TRUE(this->store->list().empty());
  EXPECT_EQ(this->fixture.partial_blobs(), 0U);
  EXPECT_EQ(this->store->remove_all(), 0U);
  // A writer that outlived remove_all() may or may not still commit, but never a torn blob.
  if (a->commit(id_of(23))) {
    EXPECT_EQ(this->read_all(*this->store->open(id_of(23))), "partial");
  }
  this->store->remove(id_of(23));
  a.reset();
  b.reset();
  EXPECT_EQ(this->fixture.partial_blobs(), 0U);
}

TYPED_TEST(BlobStoreContract, ReaderOutlivesRemoval) {
  const std::string data = pattern(70000, 9);
  ASSERT_TRUE(this->put(id_of(30), data, 4096));
  ASSERT_TRUE(this->put(id_of(31), data, 4096));
  auto r1 = this->store->open(id_of(30));
  auto r2 = this->store->open(id_of(31));
  ASSERT_TRUE(r1 && r2);
  ASSERT_TRUE(this->store->remove(id_of(30)));
  EXPECT_EQ(this->store->remove_all(), 1U);
  EXPECT_FALSE(this->store->open(id_of(30)));
  EXPECT_EQ(r1->size(), data.size());
  EXPECT_EQ(this->read_all(*r1), data);
  std::array<char, 10> buf{};
  ASSERT_EQ(r2->read(65000, buf), 10U);
  EXPECT_EQ(std::string(buf.data(), 10), data.substr(65000, 10));
}

TYPED_TEST(BlobStoreContract, ConcurrentWritersAndReaders) {
  constexpr unsigned threads = 8;
  constexpr unsigned per_thread = 25;
  std::atomic<unsigned> failures{0};
  std::vector<std::thread> pool;
  for (unsigned t = 0; t < threads; ++t) {
    pool.emplace_back([&, t] {
      for (unsigned i = 0; i < per_thread; ++i) {
        const unsigned n = t * 1000 + i;
        const std::string data = pattern(1000 + n % 3000, n);
        if (!this->put(id_of(n), data, 333)) ++failures;
        auto r = this->store->open(id_of(n));
        if (!r || this->read_all(*r) != data) ++failures;
      }
    });
  }
  for (auto& th : pool)
    th.join();
  EXPECT_EQ(failures.load(), 0U);
  EXPECT_EQ(this->store->list().size(), threads * per_thread);
  EXPECT_EQ(this->fixture.partial_blobs(), 0U);
}

TYPED_TEST(BlobStoreContract, ConcurrentCommitsToOneIdHaveOneWinner) {
  constexpr unsigned threads = 8;
  std::atomic<unsigned> wins{0};
  std::vector<std::thread> pool;
  for (unsigned t = 0; t < threads; ++t) {
    pool.emplace_back([&, t] {
      if (this->put(id_of(99), "writer " + std::to_string(t))) ++wins;
    });
  }
  for (auto& th : pool)
    th.join();
  EXPECT_EQ(wins.load(), 1U);
  const std::string got = this->read_all(*this->store->open(id_of(99)));
  EXPECT_EQ(got.rfind("writer ", 0), 0U) << got;  // one writer's bytes, whole
  EXPECT_EQ(this->fixture.partial_blobs(), 0U);
}

TYPED_TEST(BlobStoreContract, FreeBytesIsPlausible) {
  const auto free = this->store->free_bytes();
  if (free) {
    EXPECT_GT(*free, 0U);
  }
}

}  // namespace
}  // namespace hw::store::blob

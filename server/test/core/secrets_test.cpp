#include "core/secrets.hpp"

#include <sys/stat.h>

#include <gtest/gtest.h>
#include <fstream>

namespace hw::core {
namespace {

namespace fs = std::filesystem;

TEST(Secrets, CreatedOnceWithMode0600AndReused) {
  const auto dir = fs::temp_directory_path() / ("hw-secrets-" + random_hex(6));
  const auto file = dir / "secrets" / "jwt.key";
  std::string err;
  auto first = load_or_create_secret(file, err);
  ASSERT_TRUE(first) << err;
  EXPECT_EQ(first->size(), 64U);
  struct stat st {};
  ASSERT_EQ(::stat(file.c_str(), &st), 0);
  EXPECT_EQ(st.st_mode & 0777U, 0600U);
  auto second = load_or_create_secret(file, err);
  ASSERT_TRUE(second);
  EXPECT_EQ(*first, *second);

  ::chmod(file.c_str(), 0644);  // too open: tightened on load
  ASSERT_TRUE(load_or_create_secret(file, err));
  ASSERT_EQ(::stat(file.c_str(), &st), 0);
  EXPECT_EQ(st.st_mode & 0777U, 0600U);
  fs::remove_all(dir);
}

TEST(Secrets, ShortSecretFileIsAnError) {
  const auto dir = fs::temp_directory_path() / ("hw-secrets-" + random_hex(6));
  fs::create_directories(dir);
  std::ofstream(dir / "k") << "short\n";
  std::string err;
  EXPECT_FALSE(load_or_create_secret(dir / "k", err));
  EXPECT_NE(err.find("shorter"), std::string::npos);
  fs::remove_all(dir);
}

TEST(Secrets, RandomHexIsRandom) {
  EXPECT_NE(random_hex(16), random_hex(16));
  EXPECT_EQ(random_hex(3).size(), 6U);
}

}  // namespace
}  // namespace hw::core

// The image suite's archive sizes: gzip -9 of a tar of the tree, compressed once per
// distinct content (archive_size.cpp) and never answered from a stale content.
#include "harness/archive_size.hpp"

#include <gtest/gtest.h>

#include <fstream>
#include <random>
#include <string>

#include "common/tests/temp_dir.hpp"

using namespace isobench;

namespace {

void write_bytes(const std::filesystem::path& path, const std::string& bytes) {
  std::ofstream out(path, std::ios::binary | std::ios::trunc);
  out << bytes;
}

}  // namespace

TEST(ArchiveSize, SameTreeSameSizesAndAChangedContentIsCompressedAgain) {
  isobench::testing::TempDir dir("isobench-archive-");
  std::filesystem::create_directories(dir.path() / "tree" / "bin");
  const std::filesystem::path file = dir.path() / "tree" / "bin" / "payload";
  const std::string compressible(1 << 20, 'a');
  std::string random_bytes(1 << 20, '\0');
  std::mt19937 generator(42);
  for (char& c : random_bytes) c = static_cast<char>(generator());

  write_bytes(file, compressible);
  auto first = tar_gzip_size(dir.path() / "tree");
  ASSERT_TRUE(first) << first.error().describe();
  EXPECT_EQ(first->tar_bytes % 10240, 0u) << "a tar is padded to 10 KiB records";
  EXPECT_GT(first->tar_bytes, compressible.size());
  EXPECT_LT(first->gzip_bytes, 20'000u) << "a MiB of one byte compresses to a few KiB";

  // The same length, other bytes: a stale answer would repeat the small size.
  write_bytes(file, random_bytes);
  auto changed = tar_gzip_size(dir.path() / "tree");
  ASSERT_TRUE(changed);
  EXPECT_EQ(changed->tar_bytes, first->tar_bytes);
  EXPECT_GT(changed->gzip_bytes, random_bytes.size()) << "random bytes do not compress";

  write_bytes(file, compressible);
  auto again = tar_gzip_size(dir.path() / "tree");
  ASSERT_TRUE(again);
  EXPECT_EQ(again->gzip_bytes, first->gzip_bytes);

  auto single = gzip_size(file);
  ASSERT_TRUE(single);
  EXPECT_LT(*single, 20'000u);
  write_bytes(file, random_bytes);
  auto single_changed = gzip_size(file);
  ASSERT_TRUE(single_changed);
  EXPECT_GT(*single_changed, random_bytes.size());
}

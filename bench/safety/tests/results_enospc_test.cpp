// ENOSPC while writing results: the write fails with the reason and the previous results
// stay intact. A 16 KiB tmpfs in a private mount namespace (nothing reaches the host).
#include <gtest/gtest.h>
#include <sched.h>
#include <sys/mount.h>
#include <sys/wait.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>

#include "bench/harness/results_file.hpp"

namespace isobench {
namespace {

TEST(ResultsFile, EnospcLeavesThePreviousResultsIntact) {
  if (::geteuid() != 0) GTEST_SKIP() << "needs root to mount a tmpfs";
  std::string dir = "/tmp/isobench-safetytest-" + std::to_string(::getpid()) + "-enospc";
  std::filesystem::create_directories(dir);
  pid_t child = ::fork();
  if (child == 0) {
    // Exit codes say which check failed; gtest is not used in the child.
    if (::unshare(CLONE_NEWNS) != 0) ::_exit(10);
    if (::mount(nullptr, "/", nullptr, MS_REC | MS_PRIVATE, nullptr) != 0) ::_exit(11);
    if (::mount("isobench-enospc", dir.c_str(), "tmpfs", 0, "size=16k") != 0) ::_exit(12);
    std::string path = dir + "/results.json";
    std::string first = "{\"benchmarks\": []}\n";
    if (!write_file_atomically(path, first)) ::_exit(13);
    auto second = write_file_atomically(path, std::string(1 << 20, 'x'));
    if (second) ::_exit(14);
    if (second.error().errno_value != ENOSPC) ::_exit(15);
    if (second.error().describe().find("results.json") == std::string::npos) ::_exit(16);
    std::ifstream in(path);
    std::string kept((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
    if (kept != first) ::_exit(17);
    // No temporary file is left beside it.
    int entries = 0;
    for ([[maybe_unused]] const auto& entry : std::filesystem::directory_iterator(dir)) ++entries;
    ::_exit(entries == 1 ? 0 : 18);
  }
  int status = 0;
  ::waitpid(child, &status, 0);
  std::filesystem::remove_all(dir);
  ASSERT_TRUE(WIFEXITED(status));
  EXPECT_EQ(WEXITSTATUS(status), 0) << "check that failed: see the exit codes in the test";
}

}  // namespace
}  // namespace isobench

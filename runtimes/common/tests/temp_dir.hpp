// A fresh directory under the temp dir for one test, removed with everything in it when
// the test ends. The prefix names the test (and carries `isobench`, so a leak audit that
// runs during the test recognises it as ours).
#pragma once

#include <stdlib.h>

#include <filesystem>
#include <string>

namespace isobench::testing {

class TempDir {
 public:
  explicit TempDir(const std::string& prefix) {
    std::string pattern = (std::filesystem::temp_directory_path() / (prefix + "XXXXXX")).string();
    if (::mkdtemp(pattern.data()) != nullptr) path_ = pattern;
  }
  ~TempDir() {
    std::error_code ignored;
    if (!path_.empty()) std::filesystem::remove_all(path_, ignored);
  }
  TempDir(const TempDir&) = delete;
  TempDir& operator=(const TempDir&) = delete;

  const std::filesystem::path& path() const { return path_; }

 private:
  std::filesystem::path path_;
};

}  // namespace isobench::testing

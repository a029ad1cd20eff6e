#include "minimal_image.hpp"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <fstream>
#include <sstream>

#include "runtimes/common/clock.hpp"
#include "runtimes/common/unique_fd.hpp"

namespace isobench {
namespace {

namespace fs = std::filesystem;

// Directories of the image; proc, dev, tmp and sys are mount points, which must exist
// because the rootfs is mounted read-only.
constexpr const char* kDirectories[] = {"proc", "dev", "tmp", "sys", "etc"};

struct SmallFile {
  const char* path;
  const char* text;
};
constexpr SmallFile kFiles[] = {
    {"etc/hostname", "isobench\n"},
    {"etc/passwd", "root:x:0:0:root:/:/isobench-workload\n"},
    {"etc/group", "root:x:0:\n"},
};

Result<std::string> source_stamp(const fs::path& binary) {
  struct stat st{};
  if (::stat(binary.c_str(), &st) != 0) return fail_errno("stat workload binary " + in_quotes(binary));
  if (!S_ISREG(st.st_mode)) return fail("workload binary " + in_quotes(binary) + " is not a regular file");
  std::ostringstream out;
  out << fs::absolute(binary).string() << ' ' << st.st_size << ' ' << st.st_mtim.tv_sec << '.' << st.st_mtim.tv_nsec
      << '\n';
  return out.str();
}

std::string read_text(const fs::path& path) {
  std::ifstream in(path);
  return std::string((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
}

Result<void> write_text(const fs::path& path, const std::string& text, mode_t mode = 0644) {
  int fd = ::open(path.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, mode);
  if (fd < 0) return fail_errno("create " + in_quotes(path));
  UniqueFd owner(fd);
  if (::write(fd, text.data(), text.size()) != static_cast<ssize_t>(text.size()))
    return fail_errno("write " + in_quotes(path));
  return {};
}

Result<void> copy_executable(const fs::path& from, const fs::path& to) {
  std::error_code ec;
  fs::copy_file(from, to, fs::copy_options::overwrite_existing, ec);
  if (ec) return fail_errno("copy " + in_quotes(from) + " to " + in_quotes(to), ec.value());
  if (::chmod(to.c_str(), 0755) != 0) return fail_errno("chmod " + in_quotes(to));
  return {};
}

bool is_complete(const fs::path& rootfs) {
  if (::access((rootfs / "isobench-workload").c_str(), X_OK) != 0) return false;
  for (const char* dir : kDirectories)
    if (!fs::is_directory(rootfs / dir)) return false;
  return true;
}

// Assembles the rootfs in `staging`.
Result<void> assemble(const fs::path& staging, const fs::path& binary) {
  if (::mkdir(staging.c_str(), 0755) != 0) return fail_errno("mkdir " + in_quotes(staging));
  for (const char* dir : kDirectories) {
    fs::path path = staging / dir;
    if (::mkdir(path.c_str(), 0755) != 0) return fail_errno("mkdir " + in_quotes(path));
  }
  if (::chmod((staging / "tmp").c_str(), 01777) != 0) return fail_errno("chmod " + in_quotes(staging / "tmp"));
  for (const SmallFile& file : kFiles)
    if (auto done = write_text(staging / file.path, file.text); !done) return done;
  return copy_executable(binary, staging / "isobench-workload");
}

}  // namespace

fs::path minimal_image_dir(const fs::path& state_dir) { return state_dir / "images" / "minimal"; }

Result<MinimalImage> ensure_minimal_image(const BackendConfig& config) {
  auto stamp = source_stamp(config.workload_binary);
  if (!stamp) return std::unexpected(stamp.error().with_context("image"));
  fs::path dir = fs::absolute(minimal_image_dir(config.state_dir));
  MinimalImage image;
  image.rootfs = dir / "rootfs";
  if (read_text(dir / "source") == *stamp && is_complete(image.rootfs)) return image;

  std::int64_t start = monotonic_ns();
  std::error_code ec;
  fs::create_directories(dir, ec);
  if (ec) return fail_errno("image: mkdir " + in_quotes(dir), ec.value());
  fs::path staging = dir / ("rootfs.isobench-build-" + std::to_string(::getpid()));
  fs::remove_all(staging, ec);
  if (auto built = assemble(staging, config.workload_binary); !built) {
    fs::remove_all(staging, ec);
    return std::unexpected(built.error().with_context("image: build " + in_quotes(staging)));
  }
  // Swap in the new rootfs; a stale one (another binary) moves aside and is removed.
  fs::path old = dir / ("rootfs.isobench-old-" + std::to_string(::getpid()));
  if (fs::exists(image.rootfs) && ::rename(image.rootfs.c_str(), old.c_str()) != 0) {
    int err = errno;
    fs::remove_all(staging, ec);
    return fail_errno("image: rename " + in_quotes(image.rootfs), err);
  }
  if (::rename(staging.c_str(), image.rootfs.c_str()) != 0) {
    int err = errno;
    fs::remove_all(staging, ec);
    return fail_errno("image: rename " + in_quotes(staging) + " to " + in_quotes(image.rootfs), err);
  }
  fs::remove_all(old, ec);
  if (auto done = write_text(dir / "source", *stamp); !done) return std::unexpected(done.error().with_context("image"));
  image.build_s = static_cast<double>(monotonic_ns() - start) / 1e9;
  image.built_now = true;
  return image;
}

Result<std::uint64_t> tree_bytes(const fs::path& root) {
  std::uint64_t total = 0;
  std::error_code ec;
  for (auto it = fs::recursive_directory_iterator(root, ec); !ec && it != fs::recursive_directory_iterator();
       it.increment(ec)) {
    if (it->is_regular_file(ec) && !it->is_symlink(ec)) total += it->file_size(ec);
  }
  if (ec) return fail_errno("measure " + in_quotes(root), ec.value());
  return total;
}

}  // namespace isobench

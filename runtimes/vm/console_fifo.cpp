#include "console_fifo.hpp"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cstdio>
#include <cstdlib>

namespace isobench::vm {

namespace {

// Group `gid` gets `mode` on `path` (owner stays this process's user).
Result<void> grant(const std::filesystem::path& path, gid_t gid, mode_t mode) {
  if (::chown(path.c_str(), static_cast<uid_t>(-1), gid) != 0) return fail_errno("chown " + in_quotes(path.string()));
  if (::chmod(path.c_str(), mode) != 0) return fail_errno("chmod " + in_quotes(path.string()));
  return {};
}

}  // namespace

Result<ConsoleFifo> ConsoleFifo::create(const std::string& name, std::optional<gid_t> qemu_group) {
  std::string dir_template = (std::filesystem::temp_directory_path() / (name + ".XXXXXX")).string();
  if (::mkdtemp(dir_template.data()) == nullptr) return fail_errno("mkdtemp " + in_quotes(dir_template));
  ConsoleFifo fifo;
  fifo.dir_ = dir_template;  // owned from here: removed on every path
  fifo.qemu_group_ = qemu_group;
  for (const char* suffix : {".in", ".out"}) {
    std::string path = fifo.path().string() + suffix;
    if (::mkfifo(path.c_str(), 0600) != 0) return fail_errno("mkfifo " + in_quotes(path));
    if (qemu_group)
      if (auto granted = grant(path, *qemu_group, 0660); !granted) return std::unexpected(granted.error());
  }
  // Search only: the group can open what it is told the name of, and list nothing.
  if (qemu_group)
    if (auto granted = grant(fifo.dir_, *qemu_group, 0710); !granted) return std::unexpected(granted.error());
  // Non-blocking, so that opening does not wait for QEMU; poll(2) reports no event on a
  // FIFO until its first writer has come (and hang-up only once that writer is gone).
  std::string out = fifo.path().string() + ".out";
  fifo.reader_.reset(::open(out.c_str(), O_RDONLY | O_NONBLOCK | O_CLOEXEC));
  if (!fifo.reader_) return fail_errno("open " + in_quotes(out));
  return fifo;
}

Result<std::filesystem::path> ConsoleFifo::share(const std::filesystem::path& file, const std::string& as) {
  std::filesystem::path target = dir_ / as;
  if (!qemu_group_) return file;  // QEMU runs as this user: the file is reachable as it is
  std::error_code ec;
  std::filesystem::path source = std::filesystem::canonical(file, ec);
  if (ec) return fail_errno("resolve " + in_quotes(file.string()), ec.value());
  struct stat st {};
  if (::stat(source.c_str(), &st) != 0) return fail_errno("stat " + in_quotes(source.string()));
  if ((st.st_mode & S_IROTH) != 0 && ::link(source.c_str(), target.c_str()) == 0) return target;
  // Not world-readable, or another filesystem: a copy that only the group may read.
  std::filesystem::copy_file(source, target, std::filesystem::copy_options::overwrite_existing, ec);
  if (ec) return fail_errno("copy " + in_quotes(source.string()) + " to " + in_quotes(target.string()), ec.value());
  if (auto granted = grant(target, *qemu_group_, 0640); !granted) return std::unexpected(granted.error());
  return target;
}

ConsoleFifo::ConsoleFifo(ConsoleFifo&& other) noexcept
    : dir_(std::exchange(other.dir_, {})), reader_(std::move(other.reader_)), qemu_group_(other.qemu_group_) {}

ConsoleFifo& ConsoleFifo::operator=(ConsoleFifo&& other) noexcept {
  if (this != &other) {
    (void)remove();
    dir_ = std::exchange(other.dir_, {});
    reader_ = std::move(other.reader_);
    qemu_group_ = other.qemu_group_;
  }
  return *this;
}

ConsoleFifo::~ConsoleFifo() {
  auto removed = remove();
  if (!removed) std::fprintf(stderr, "isobench: %s\n", removed.error().describe().c_str());
}

Result<void> ConsoleFifo::remove() {
  reader_.reset();
  if (dir_.empty()) return {};
  std::error_code ec;
  std::filesystem::remove_all(dir_, ec);
  auto dir = std::exchange(dir_, {});
  if (ec) return fail_errno("remove " + in_quotes(dir.string()), ec.value());
  return {};
}

}  // namespace isobench::vm

#include "console_fifo.hpp"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cstdio>
#include <cstdlib>

namespace isobench::vm {

Result<ConsoleFifo> ConsoleFifo::create(const std::string& name) {
  std::string dir_template = (std::filesystem::temp_directory_path() / (name + ".XXXXXX")).string();
  if (::mkdtemp(dir_template.data()) == nullptr) return fail_errno("mkdtemp " + in_quotes(dir_template));
  ConsoleFifo fifo;
  fifo.dir_ = dir_template;  // owned from here: removed on every path
  for (const char* suffix : {".in", ".out"}) {
    std::string path = fifo.path().string() + suffix;
    if (::mkfifo(path.c_str(), 0600) != 0) return fail_errno("mkfifo " + in_quotes(path));
  }
  // Non-blocking, so that opening does not wait for QEMU; poll(2) reports no event on a
  // FIFO until its first writer has come (and hang-up only once that writer is gone).
  std::string out = fifo.path().string() + ".out";
  fifo.reader_.reset(::open(out.c_str(), O_RDONLY | O_NONBLOCK | O_CLOEXEC));
  if (!fifo.reader_) return fail_errno("open " + in_quotes(out));
  return fifo;
}

ConsoleFifo::ConsoleFifo(ConsoleFifo&& other) noexcept
    : dir_(std::exchange(other.dir_, {})), reader_(std::move(other.reader_)) {}

ConsoleFifo& ConsoleFifo::operator=(ConsoleFifo&& other) noexcept {
  if (this != &other) {
    (void)remove();
    dir_ = std::exchange(other.dir_, {});
    reader_ = std::move(other.reader_);
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

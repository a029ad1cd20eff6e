// io DIR [seqwrite|randread] [BYTES]: file I/O where DIR lives, both by default.
//   seqwrite: BYTES (default 32 MiB) written in 1 MiB chunks, then fsync: bytes_per_s.
//   randread: BYTES/16 KiB reads of 4 KiB at random aligned offsets of such a file,
//             O_DIRECT where the filesystem allows it (else the page cache is dropped
//             for the file first): ops_per_s.
// The scratch file is DIR/isobench-io-XXXXXX, removed afterwards; DIR is created if
// missing. The result names the filesystem DIR is on, so rows say which storage ran.
#include <fcntl.h>
#include <sys/stat.h>
#include <sys/statfs.h>
#include <unistd.h>

#include <cerrno>
#include <cstdlib>
#include <cstring>
#include <memory>

#include "measure.hpp"
#include "runtimes/common/quote.hpp"
#include "workload.hpp"

namespace workload {
namespace {

constexpr std::uint64_t kDefaultBytes = 32ULL << 20;
constexpr std::size_t kChunk = 1 << 20;
constexpr std::size_t kBlock = 4096;

struct Fd {
  int fd = -1;
  explicit Fd(int f) : fd(f) {}
  Fd(const Fd&) = delete;
  Fd& operator=(const Fd&) = delete;
  ~Fd() {
    if (fd >= 0) ::close(fd);
  }
};

// The scratch file, unlinked on every path out of the workload.
struct ScratchFile {
  std::string path;
  ~ScratchFile() {
    if (!path.empty()) ::unlink(path.c_str());
  }
};

struct FreeDeleter {
  void operator()(void* p) const { std::free(p); }
};

const char* filesystem_name(long type) {
  switch (static_cast<unsigned long>(type)) {
    case 0xEF53: return "ext4";
    case 0x01021994: return "tmpfs";
    case 0x858458F6: return "ramfs";
    case 0x794C7630: return "overlayfs";
    case 0x58465342: return "xfs";
    case 0x9123683E: return "btrfs";
    case 0x01021997: return "9p";
    case 0x65735546: return "fuse";  // virtiofs too
    case 0x6969: return "nfs";
    case 0x2FC12FC1: return "zfs";
    case 0xF2F52010: return "f2fs";
    default: return "other";
  }
}

bool make_dirs(const std::string& dir, std::string& error) {
  for (std::size_t slash = 1; slash <= dir.size(); ++slash) {
    if (slash != dir.size() && dir[slash] != '/') continue;
    std::string prefix = dir.substr(0, slash);
    if (::mkdir(prefix.c_str(), 01777) != 0 && errno != EEXIST) {
      error = errno_message("mkdir " + prefix);
      return false;
    }
  }
  return true;
}

std::uint64_t next_random(std::uint64_t& x) {
  x ^= x << 13;
  x ^= x >> 7;
  x ^= x << 17;
  return x;
}

// Writes `bytes` of a fixed pattern and fsyncs; returns the nanoseconds both took.
std::optional<std::int64_t> write_file(int fd, std::uint64_t bytes, const std::string& path, std::string& error) {
  std::unique_ptr<char[]> chunk(new char[kChunk]);
  for (std::size_t i = 0; i < kChunk; ++i) chunk[i] = static_cast<char>(i * 131 + 7);
  std::int64_t start = monotonic_now_ns();
  for (std::uint64_t done = 0; done < bytes;) {
    std::size_t want = bytes - done < kChunk ? static_cast<std::size_t>(bytes - done) : kChunk;
    ssize_t n = ::write(fd, chunk.get(), want);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) {
      error = errno_message("write " + path);
      return std::nullopt;
    }
    done += static_cast<std::uint64_t>(n);
  }
  if (::fsync(fd) != 0) {
    error = errno_message("fsync " + path);
    return std::nullopt;
  }
  return monotonic_now_ns() - start;
}

bool random_reads(const std::string& path, std::uint64_t bytes, JsonObject& out, std::string& error) {
  bool direct = true;
  int raw = ::open(path.c_str(), O_RDONLY | O_CLOEXEC | O_DIRECT);
  if (raw < 0 && errno == EINVAL) {
    // tmpfs and some others refuse O_DIRECT; read through the page cache, emptied of
    // this file's pages where the filesystem can drop them.
    direct = false;
    raw = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
  }
  if (raw < 0) {
    error = errno_message("open " + path);
    return false;
  }
  Fd fd(raw);
  if (!direct) ::posix_fadvise(fd.fd, 0, 0, POSIX_FADV_DONTNEED);
  std::unique_ptr<char, FreeDeleter> buffer(static_cast<char*>(std::aligned_alloc(kBlock, kBlock)));
  if (!buffer) {
    error = "aligned_alloc 4096 bytes failed";
    return false;
  }
  const std::uint64_t blocks = bytes / kBlock;
  // A quarter of the file's blocks: enough to defeat any read-ahead, short on slow disks.
  const std::uint64_t reads = blocks / 4;
  std::uint64_t x = 0x2545F4914F6CDD1DULL;
  std::int64_t start = monotonic_now_ns();
  for (std::uint64_t i = 0; i < reads; ++i) {
    off_t offset = static_cast<off_t>((next_random(x) % blocks) * kBlock);
    ssize_t n = ::pread(fd.fd, buffer.get(), kBlock, offset);
    if (n < 0 && errno == EINTR) {
      --i;
      continue;
    }
    if (n != static_cast<ssize_t>(kBlock)) {
      error = n < 0 ? errno_message("pread " + path) : "short read from " + path;
      return false;
    }
  }
  std::int64_t ns = monotonic_now_ns() - start;
  double seconds = ns / 1e9;
  JsonObject figures;
  figures.add("ops", reads).add("block_bytes", static_cast<std::uint64_t>(kBlock)).add("direct", direct);
  figures.add("seconds", seconds).add("ops_per_s", seconds > 0 ? static_cast<double>(reads) / seconds : 0.0);
  figures.add("bytes_per_s", seconds > 0 ? static_cast<double>(reads * kBlock) / seconds : 0.0);
  out.add_raw("randread", figures.str());
  return true;
}

}  // namespace

int run_io(std::span<const std::string> args, JsonObject& out, std::string& error) {
  if (args.empty() || args[0].empty() || args[0][0] != '/') {
    error = args.empty() ? "io takes DIR" : "DIR " + isobench::quote_input(args[0]) + " must be an absolute path";
    return kUsage;
  }
  const std::string& dir = args[0];
  std::size_t next = 1;
  bool seqwrite = true, randread = true;
  if (next < args.size() && (args[next] == "seqwrite" || args[next] == "randread")) {
    seqwrite = args[next] == "seqwrite";
    randread = !seqwrite;
    ++next;
  }
  std::uint64_t bytes = kDefaultBytes;
  if (next < args.size()) {
    auto parsed = parse_bytes(args[next]);
    if (!parsed || *parsed < (1ULL << 20) || *parsed > (64ULL << 30) || *parsed % kBlock != 0) {
      error = "bad BYTES " + isobench::quote_input(args[next]) + " (1M to 64G, a multiple of 4K)";
      return kUsage;
    }
    bytes = *parsed;
    ++next;
  }
  if (next != args.size()) {
    error = "unexpected argument " + isobench::quote_input(args[next]);
    return kUsage;
  }

  if (!make_dirs(dir, error)) return kFailed;
  struct statfs fs {};
  if (::statfs(dir.c_str(), &fs) != 0) {
    error = errno_message("statfs " + dir);
    return kFailed;
  }
  out.add("dir", dir).add("storage", filesystem_name(fs.f_type));

  ScratchFile scratch;
  std::string templ = dir + (dir.back() == '/' ? "" : "/") + "isobench-io-XXXXXX";
  int raw = ::mkostemp(templ.data(), O_CLOEXEC);
  if (raw < 0) {
    error = errno_message("mkstemp " + templ);
    return kFailed;
  }
  scratch.path = templ;
  {
    Fd fd(raw);
    auto ns = write_file(fd.fd, bytes, scratch.path, error);
    if (!ns) return kFailed;
    if (seqwrite) {
      double seconds = *ns / 1e9;
      JsonObject figures;
      figures.add("bytes", bytes).add("seconds", seconds);
      figures.add("bytes_per_s", seconds > 0 ? static_cast<double>(bytes) / seconds : 0.0);
      out.add_raw("seqwrite", figures.str());
    }
  }
  if (randread && !random_reads(scratch.path, bytes, out, error)) return kFailed;
  return kDone;
}

}  // namespace workload

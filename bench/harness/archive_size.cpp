#include "archive_size.hpp"

#include <fcntl.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <unistd.h>
#include <zlib.h>

#include <algorithm>
#include <array>
#include <cstring>
#include <string>
#include <vector>

#include "runtimes/common/unique_fd.hpp"

namespace isobench {
namespace fs = std::filesystem;

namespace {

// Feeds bytes to deflate and counts what comes out; the output itself is discarded.
class GzipCounter {
 public:
  GzipCounter() {
    // windowBits 15 + 16: a gzip header and trailer, as `gzip -9` writes.
    ok_ = ::deflateInit2(&stream_, 9, Z_DEFLATED, 15 + 16, 8, Z_DEFAULT_STRATEGY) == Z_OK;
  }
  ~GzipCounter() {
    if (ok_) ::deflateEnd(&stream_);
  }
  GzipCounter(const GzipCounter&) = delete;
  GzipCounter& operator=(const GzipCounter&) = delete;

  bool ok() const { return ok_; }
  void add(const void* data, std::size_t size) {
    input_ += size;
    stream_.next_in = static_cast<Bytef*>(const_cast<void*>(data));
    stream_.avail_in = static_cast<uInt>(size);
    pump(Z_NO_FLUSH);
  }
  std::uint64_t finish() {
    pump(Z_FINISH);
    return output_;
  }
  std::uint64_t input() const { return input_; }

 private:
  void pump(int flush) {
    std::array<Bytef, 1 << 16> out;
    int rc = Z_OK;
    do {
      stream_.next_out = out.data();
      stream_.avail_out = out.size();
      rc = ::deflate(&stream_, flush);
      output_ += out.size() - stream_.avail_out;
    } while (stream_.avail_out == 0 || (flush == Z_FINISH && rc != Z_STREAM_END));
  }
  z_stream stream_{};
  bool ok_ = false;
  std::uint64_t input_ = 0;
  std::uint64_t output_ = 0;
};

Result<void> add_file_contents(GzipCounter& gzip, const fs::path& path) {
  UniqueFd fd(::open(path.c_str(), O_RDONLY | O_CLOEXEC));
  if (!fd) return fail_errno("open " + in_quotes(path.string()));
  std::vector<char> buffer(1 << 16);
  for (;;) {
    ssize_t n = ::read(fd.get(), buffer.data(), buffer.size());
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) return fail_errno("read " + in_quotes(path.string()));
    if (n == 0) break;
    gzip.add(buffer.data(), static_cast<std::size_t>(n));
  }
  return {};
}

void octal(char* field, std::size_t width, std::uint64_t value) {
  std::string digits(width - 1, '0');
  for (std::size_t i = width - 1; i-- > 0 && value; value >>= 3) digits[i] = static_cast<char>('0' + (value & 7));
  std::memcpy(field, digits.data(), width - 1);
}

// One 512-byte ustar header; names longer than 100 bytes are split at a '/' into prefix.
Result<std::array<char, 512>> ustar_header(const std::string& name, const struct stat& st, char type,
                                           const std::string& link) {
  std::array<char, 512> h{};
  std::string prefix, base = name;
  if (base.size() > 100) {
    auto slash = base.rfind('/', 155);
    if (slash == std::string::npos || base.size() - slash - 1 > 100) return fail("tar: name too long: " + in_quotes(name));
    prefix = base.substr(0, slash);
    base = base.substr(slash + 1);
  }
  if (link.size() > 100) return fail("tar: link target too long: " + in_quotes(name));
  std::memcpy(h.data(), base.data(), base.size());
  octal(&h[100], 8, st.st_mode & 07777);
  octal(&h[108], 8, 0);
  octal(&h[116], 8, 0);
  octal(&h[124], 12, type == '0' ? static_cast<std::uint64_t>(st.st_size) : 0);
  octal(&h[136], 12, 0);
  h[156] = type;
  std::memcpy(&h[157], link.data(), link.size());
  std::memcpy(&h[257], "ustar", 6);
  std::memcpy(&h[263], "00", 2);
  if (type == '3' || type == '4') {
    octal(&h[329], 8, major(st.st_rdev));
    octal(&h[337], 8, minor(st.st_rdev));
  }
  std::memcpy(&h[345], prefix.data(), prefix.size());
  std::memset(&h[148], ' ', 8);
  unsigned sum = 0;
  for (char c : h) sum += static_cast<unsigned char>(c);
  octal(&h[148], 7, sum);
  return h;
}

}  // namespace

Result<ArchiveSize> tar_gzip_size(const fs::path& root) {
  GzipCounter gzip;
  if (!gzip.ok()) return fail("tar: zlib deflateInit2 failed");
  std::vector<fs::path> entries;
  std::error_code ec;
  for (fs::recursive_directory_iterator it(root, ec), end; !ec && it != end; it.increment(ec)) entries.push_back(it->path());
  if (ec) return fail_errno("walk " + in_quotes(root.string()), ec.value());
  std::sort(entries.begin(), entries.end());

  static const std::array<char, 512> kZeros{};
  for (const auto& path : entries) {
    struct stat st{};
    if (::lstat(path.c_str(), &st) != 0) return fail_errno("lstat " + in_quotes(path.string()));
    std::string name = fs::relative(path, root).string();
    std::string link;
    char type;
    if (S_ISREG(st.st_mode)) type = '0';
    else if (S_ISDIR(st.st_mode)) type = '5', name += '/';
    else if (S_ISLNK(st.st_mode)) type = '2', link = fs::read_symlink(path).string();
    else if (S_ISCHR(st.st_mode)) type = '3';
    else if (S_ISBLK(st.st_mode)) type = '4';
    else if (S_ISFIFO(st.st_mode)) type = '6';
    else continue;  // sockets are not archived
    auto header = ustar_header(name, st, type, link);
    if (!header) return std::unexpected(header.error());
    gzip.add(header->data(), header->size());
    if (type == '0') {
      if (auto added = add_file_contents(gzip, path); !added) return std::unexpected(added.error());
      std::size_t pad = (512 - static_cast<std::size_t>(st.st_size) % 512) % 512;
      gzip.add(kZeros.data(), pad);
    }
  }
  // Two zero blocks end the archive; tar pads it to a 10 KiB record.
  gzip.add(kZeros.data(), 512);
  gzip.add(kZeros.data(), 512);
  std::size_t record = 10240;
  while (gzip.input() % record) gzip.add(kZeros.data(), std::min<std::size_t>(512, record - gzip.input() % record));
  ArchiveSize size;
  size.tar_bytes = gzip.input();
  size.gzip_bytes = gzip.finish();
  return size;
}

Result<std::uint64_t> gzip_size(const fs::path& file) {
  GzipCounter gzip;
  if (!gzip.ok()) return fail("gzip: zlib deflateInit2 failed");
  if (auto added = add_file_contents(gzip, file); !added) return std::unexpected(added.error());
  return gzip.finish();
}

}  // namespace isobench

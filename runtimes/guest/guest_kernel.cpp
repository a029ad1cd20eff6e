#include "guest_kernel.hpp"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cstdint>
#include <cstring>
#include <vector>

#include "runtimes/common/quote.hpp"
#include "runtimes/common/unique_fd.hpp"

namespace isobench::guest {
namespace {

// Offsets in the x86 Linux boot protocol header (Documentation/x86/boot.rst).
constexpr std::size_t kSetupSects = 0x1f1;
constexpr std::size_t kSysSize = 0x1f4;    // protected-mode payload, in 16-byte units
constexpr std::size_t kBootFlag = 0x1fe;   // 0xAA55
constexpr std::size_t kHeaderMagic = 0x202;  // "HdrS"
constexpr std::size_t kVersion = 0x206;
constexpr std::size_t kKernelVersion = 0x20e;  // offset of the version string, minus 0x200
constexpr std::size_t kHeaderBytes = 0x10000;  // the real-mode setup code, which holds the version string
constexpr std::size_t kMinimumBytes = 0x400;

const std::string kFetchHint = "run scripts/fetch-guest-kernel, or pass --guest-kernel PATH";

template <class T>
T read_le(const std::uint8_t* bytes) {
  T value{};
  std::memcpy(&value, bytes, sizeof value);  // x86 hosts: already little-endian
  return value;
}

Result<std::size_t> read_at(int fd, std::uint8_t* out, std::size_t size, off_t offset) {
  std::size_t done = 0;
  while (done < size) {
    ssize_t got = ::pread(fd, out + done, size - done, offset + static_cast<off_t>(done));
    if (got < 0) {
      if (errno == EINTR) continue;
      return fail_errno("read");
    }
    if (got == 0) break;
    done += static_cast<std::size_t>(got);
  }
  return done;
}

}  // namespace

std::filesystem::path cached_kernel_path(const std::filesystem::path& state_dir) {
  return state_dir / "guest-kernel" / "vmlinuz";
}

Result<GuestKernel> validate_kernel(const std::filesystem::path& path) {
  const std::string where = "guest kernel " + quote_input(path.string());
  UniqueFd fd(::open(path.c_str(), O_RDONLY | O_CLOEXEC));
  if (!fd) {
    if (errno == ENOENT) return fail(where + " not found: " + kFetchHint);
    return fail_errno("open " + where + " (" + kFetchHint + ")");
  }
  struct stat st{};
  if (::fstat(fd.get(), &st) != 0) return fail_errno("stat " + where);
  if (!S_ISREG(st.st_mode)) return fail(where + " is not a regular file: " + kFetchHint);

  std::vector<std::uint8_t> header(kHeaderBytes);
  auto got = read_at(fd.get(), header.data(), header.size(), 0);
  if (!got) return std::unexpected(got.error().with_context(where));
  if (*got < kMinimumBytes || read_le<std::uint16_t>(&header[kBootFlag]) != 0xaa55 ||
      std::memcmp(&header[kHeaderMagic], "HdrS", 4) != 0)
    return fail(where + " is not a Linux bzImage (no x86 boot header): " + kFetchHint);
  if (read_le<std::uint16_t>(&header[kVersion]) < 0x020a)
    return fail(where + " uses a boot protocol older than 2.10: use a newer kernel");

  // The real-mode setup is (setup_sects + 1) sectors, then the compressed kernel.
  std::uint64_t setup_sects = header[kSetupSects] == 0 ? 4 : header[kSetupSects];
  std::uint64_t expected = (setup_sects + 1) * 512 + std::uint64_t{read_le<std::uint32_t>(&header[kSysSize])} * 16;
  if (static_cast<std::uint64_t>(st.st_size) < expected)
    return fail(where + " is truncated (" + std::to_string(st.st_size) + " bytes, the header says " +
                std::to_string(expected) + "): " + kFetchHint);

  GuestKernel kernel{path, "unknown"};
  std::uint16_t version_offset = read_le<std::uint16_t>(&header[kKernelVersion]);
  if (version_offset != 0 && version_offset + 0x200u < *got) {
    const char* text = reinterpret_cast<const char*>(&header[version_offset + 0x200u]);
    std::size_t max = *got - (version_offset + 0x200u);
    std::string version(text, strnlen(text, max));
    kernel.release = version.substr(0, version.find(' '));
  }
  return kernel;
}

}  // namespace isobench::guest

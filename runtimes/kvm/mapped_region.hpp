// A move-only owner of an mmap(2) mapping, unmapped on destruction: guest memory and
// the vCPU's shared kvm_run page.
#pragma once

#include <sys/mman.h>

#include <cstddef>
#include <string>
#include <utility>

#include "runtimes/common/error.hpp"

namespace isobench::kvm {

class MappedRegion {
 public:
  MappedRegion() = default;
  MappedRegion(MappedRegion&& other) noexcept
      : addr_(std::exchange(other.addr_, nullptr)), size_(std::exchange(other.size_, 0)) {}
  MappedRegion& operator=(MappedRegion&& other) noexcept {
    if (this != &other) {
      reset();
      addr_ = std::exchange(other.addr_, nullptr);
      size_ = std::exchange(other.size_, 0);
    }
    return *this;
  }
  MappedRegion(const MappedRegion&) = delete;
  MappedRegion& operator=(const MappedRegion&) = delete;
  ~MappedRegion() { reset(); }

  // Private anonymous memory, populated lazily (guest RAM). `what` names it in errors.
  // `what` is a literal so that the success path allocates nothing (measured windows).
  //
  // Never copied into a forked child (MADV_DONTFORK, as QEMU does for guest RAM): bench
  // forks for every container it starts (clone3 with namespaces, which cannot share the
  // address space), and a fork copies the page tables of every populated page, which the
  // child's exec then tears down again. With the kvm backend's guest and host buffers
  // alive (3.8 GB resident in `bench --backend container,kvm --suite startup,hypervisor,mem`)
  // that put 110 ms into every container's start.
  static Result<MappedRegion> anonymous(std::size_t size, const char* what) {
    void* addr = ::mmap(nullptr, size, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);
    if (addr == MAP_FAILED) return fail_errno("mmap " + std::to_string(size) + " bytes for " + std::string(what));
    MappedRegion region(addr, size);
    if (::madvise(addr, size, MADV_DONTFORK) != 0) return fail_errno("madvise MADV_DONTFORK for " + std::string(what));
    return region;
  }
  // A read-only private mapping of the file open at `fd` (an ELF to parse).
  static Result<MappedRegion> read_only(int fd, std::size_t size, const char* what) {
    void* addr = ::mmap(nullptr, size, PROT_READ, MAP_PRIVATE, fd, 0);
    if (addr == MAP_FAILED) return fail_errno(std::string("mmap ") + what);
    return MappedRegion(addr, size);
  }
  // A shared mapping of `fd` (the vCPU's kvm_run structure).
  static Result<MappedRegion> shared(int fd, std::size_t size, const char* what) {
    void* addr = ::mmap(nullptr, size, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
    if (addr == MAP_FAILED) return fail_errno(std::string("mmap ") + what);
    return MappedRegion(addr, size);
  }

  void* get() const { return addr_; }
  std::byte* bytes() const { return static_cast<std::byte*>(addr_); }
  std::size_t size() const { return size_; }
  explicit operator bool() const { return addr_ != nullptr; }

  void reset() {
    if (addr_ != nullptr) ::munmap(addr_, size_);
    addr_ = nullptr;
    size_ = 0;
  }

 private:
  MappedRegion(void* addr, std::size_t size) : addr_(addr), size_(size) {}
  void* addr_ = nullptr;
  std::size_t size_ = 0;
};

}  // namespace isobench::kvm

// A guest's serial console as a pair of FIFOs in a per-guest temp dir: QEMU (through
// libvirt's <serial type='pipe'>) writes PATH.out and reads PATH.in. The harness holds
// the read end of PATH.out from before QEMU starts, so no console byte is lost, and it
// reads end-of-file when QEMU exits.
//
// For a system daemon's QEMU, which runs as another user (daemon_qemu_user.hpp), the dir
// is granted to that user's group: it may enter the dir (0710, not list it) and open the
// FIFOs (0660) and what share() puts there; nothing outside the dir is changed.
#pragma once

#include <sys/types.h>

#include <filesystem>
#include <optional>
#include <string>

#include "runtimes/common/error.hpp"
#include "runtimes/common/unique_fd.hpp"

namespace isobench::vm {

class ConsoleFifo {
 public:
  // Makes <tmp>/<name>.XXXXXX/console.{in,out}; `name` carries `isobench`. With
  // `qemu_group`, that group may enter the dir and open the FIFOs.
  static Result<ConsoleFifo> create(const std::string& name, std::optional<gid_t> qemu_group = std::nullopt);

  ConsoleFifo() = default;
  ConsoleFifo(ConsoleFifo&& other) noexcept;
  ConsoleFifo& operator=(ConsoleFifo&& other) noexcept;
  ConsoleFifo(const ConsoleFifo&) = delete;
  ConsoleFifo& operator=(const ConsoleFifo&) = delete;
  ~ConsoleFifo();

  // The path libvirt is given (QEMU appends .in and .out).
  std::filesystem::path path() const { return dir_ / "console"; }
  const std::filesystem::path& dir() const { return dir_; }
  // The non-blocking read end of console.out; once.
  UniqueFd take_reader() { return std::move(reader_); }
  // Makes `file` (a kernel, an initramfs) openable by the qemu group as <dir>/<as>: a
  // hard link when the file is world-readable and on the same filesystem (nothing of
  // the file changes but its link count), else a copy readable by that group.
  Result<std::filesystem::path> share(const std::filesystem::path& file, const std::string& as);
  // Removes the FIFOs and the dir. Idempotent.
  Result<void> remove();

 private:
  std::filesystem::path dir_;
  UniqueFd reader_;
  std::optional<gid_t> qemu_group_;
};

}  // namespace isobench::vm

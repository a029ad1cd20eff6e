// A guest's serial console as a pair of FIFOs in a per-guest temp dir: QEMU (through
// libvirt's <serial type='pipe'>) writes PATH.out and reads PATH.in. The harness holds
// the read end of PATH.out from before QEMU starts, so no console byte is lost, and it
// reads end-of-file when QEMU exits.
#pragma once

#include <filesystem>
#include <string>

#include "runtimes/common/error.hpp"
#include "runtimes/common/unique_fd.hpp"

namespace isobench::vm {

class ConsoleFifo {
 public:
  // Makes <tmp>/<name>.XXXXXX/console.{in,out}; `name` carries `isobench`.
  static Result<ConsoleFifo> create(const std::string& name);

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
  // Removes the FIFOs and the dir. Idempotent.
  Result<void> remove();

 private:
  std::filesystem::path dir_;
  UniqueFd reader_;
};

}  // namespace isobench::vm

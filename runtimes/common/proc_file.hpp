// Reading /proc/PID/* of a process that may exit while it is read.
#pragma once

#include <filesystem>
#include <string>

namespace isobench {

// Whatever could be read; "" when the file is gone. Not an ifstream: libstdc++'s filebuf
// throws from istreambuf_iterator when read() fails, and a process that exits mid-read
// makes read() fail with ESRCH (a guest test that killed QEMU while scanning /proc threw
// "basic_filebuf::underflow error reading the file: No such process").
std::string read_proc_file(const std::filesystem::path& path);

}  // namespace isobench

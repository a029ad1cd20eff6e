// isobench-nested-initramfs OUT NAME=PATH...: a newc archive of the given files (mode
// 0755) plus the directories and /dev/console the nested guest's /init needs, written
// with the same CpioWriter as the vm and qemu backends' initramfs.
#include <cstdio>
#include <fstream>
#include <iterator>
#include <string>

#include "runtimes/guest/initramfs.hpp"

int main(int argc, char** argv) {
  if (argc < 3) {
    std::fprintf(stderr, "usage: isobench-nested-initramfs OUT NAME=PATH...\n");
    return 2;
  }
  isobench::guest::CpioWriter cpio;
  for (const char* dir : {"dev", "proc", "sys", "tmp", "modules"}) cpio.add_directory(dir, 0755);
  cpio.add_char_device("dev/console", 0600, 5, 1);
  for (int i = 2; i < argc; ++i) {
    std::string arg = argv[i];
    auto eq = arg.find('=');
    if (eq == std::string::npos) {
      std::fprintf(stderr, "isobench-nested-initramfs: `%s` is not NAME=PATH\n", argv[i]);
      return 2;
    }
    std::ifstream in(arg.substr(eq + 1), std::ios::binary);
    if (!in) {
      std::fprintf(stderr, "isobench-nested-initramfs: cannot read `%s`\n", arg.substr(eq + 1).c_str());
      return 2;
    }
    std::string contents((std::istreambuf_iterator<char>(in)), {});
    cpio.add_file(arg.substr(0, eq), 0755, contents);
  }
  std::string archive = cpio.finish();
  std::string tmp = std::string(argv[1]) + ".tmp";
  std::ofstream out(tmp, std::ios::binary);
  out.write(archive.data(), static_cast<std::streamsize>(archive.size()));
  out.close();
  if (!out || std::rename(tmp.c_str(), argv[1]) != 0) {
    std::fprintf(stderr, "isobench-nested-initramfs: cannot write `%s`\n", argv[1]);
    return 1;
  }
  return 0;
}

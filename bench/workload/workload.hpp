// The workload binary: one static executable run unchanged as a bare process, as a
// container's PID 1 and as a guest's /init.
//
//   isobench-workload NAME [ARGS...]
//
// Protocol on standard output: the readiness line first, then exactly one result line
// (see runtimes/common/protocol.hpp). Exit codes: 0 done, 1 the workload failed,
// 2 usage error (unknown workload, bad argument).
#pragma once

#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <vector>

#include "json_line.hpp"

namespace workload {

enum ExitCode : int { kDone = 0, kFailed = 1, kUsage = 2 };

// A workload fills `out` with its figures, or sets `error` and returns non-zero.
using WorkloadFn = int (*)(std::span<const std::string> args, JsonObject& out, std::string& error);

struct WorkloadEntry {
  const char* name;
  const char* usage;
  WorkloadFn run;
};

std::span<const WorkloadEntry> workload_table();
const WorkloadEntry* find_workload(std::string_view name);

// Writes one line with a single write(2) so that it cannot interleave with other output.
void write_line(const std::string& line);

// Strict parsers: the whole string must be a number in range.
std::optional<std::uint64_t> parse_bytes(std::string_view text);  // 4096, 64K, 64M, 1G
std::optional<double> parse_seconds(std::string_view text);       // 0, 1.5

// Workloads, one per concern.
int run_noop(std::span<const std::string> args, JsonObject& out, std::string& error);
int run_idle(std::span<const std::string> args, JsonObject& out, std::string& error);
int run_alloc(std::span<const std::string> args, JsonObject& out, std::string& error);
int run_identity(std::span<const std::string> args, JsonObject& out, std::string& error);
int run_checksum(std::span<const std::string> args, JsonObject& out, std::string& error);
// Overhead workloads (syscall.cpp, cpu.cpp, mem.cpp, io.cpp): each times itself.
int run_syscall(std::span<const std::string> args, JsonObject& out, std::string& error);
int run_cpu(std::span<const std::string> args, JsonObject& out, std::string& error);
int run_mem(std::span<const std::string> args, JsonObject& out, std::string& error);
int run_io(std::span<const std::string> args, JsonObject& out, std::string& error);
// TCP against the harness's host-side peer (net.cpp).
int run_net(std::span<const std::string> args, JsonObject& out, std::string& error);
// Dies by SIGSEGV (default) or abort() after readiness: fault-injection for tests.
int run_crash(std::span<const std::string> args, JsonObject& out, std::string& error);
// Several workloads in turn in one instance, one result each (sequence.cpp).
int run_sequence(std::span<const std::string> args, JsonObject& out, std::string& error);
// The OPs `syscall` knows, in the order the suite reports them.
std::span<const std::string_view> syscall_operations();

// Guest /init support (guest_init.cpp).
// True when the binary runs as a guest kernel's init: PID 1 with no workload argument.
bool is_guest_init(int argc);
// Mounts /proc, /sys and /dev, then reads `isobench.workload=NAME isobench.args=A,B`
// from the kernel command line into `args`.
void prepare_guest_init(std::vector<std::string>& args);
// With `isobench.ip=` and `isobench.gw=` on the kernel command line, loads the initramfs's
// virtio-net modules and configures eth0 (guest_net.cpp); otherwise does nothing.
void prepare_guest_network();
// Flushes and powers the guest off; PID 1 must never return.
[[noreturn]] void power_off_guest();

}  // namespace workload

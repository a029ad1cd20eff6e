// The /proc parsers on fixed text, and the readers on this very process and its child.
#include <gtest/gtest.h>
#include <sys/mman.h>
#include <unistd.h>

#include <cstring>

#include "common/child_process.hpp"
#include "common/proc_memory.hpp"
#include "common/spawn.hpp"

using namespace isobench;

TEST(ProcMemory, ParsesSmapsRollup) {
  auto memory = parse_smaps_rollup(
      "00400000-7ffd [rollup]\n"
      "Rss:                1000 kB\nPss:                 600 kB\nPss_Anon:            100 kB\n"
      "Shared_Clean:        400 kB\nPrivate_Clean:       300 kB\nPrivate_Dirty:       200 kB\n"
      "Anonymous:           150 kB\nPrivate_Hugetlb:       0 kB\n");
  ASSERT_TRUE(memory) << memory.error().describe();
  EXPECT_EQ(memory->rss, 1000u * 1024);
  EXPECT_EQ(memory->pss, 600u * 1024);
  EXPECT_EQ(memory->uss, 500u * 1024);
  EXPECT_EQ(memory->anonymous, 150u * 1024);
  EXPECT_FALSE(parse_smaps_rollup("Rss: 12 kB\n"));
}

TEST(ProcMemory, ParsesSmapsMappingsWithNamesAndAnonymous) {
  auto mappings = parse_smaps(
      "7f0000000000-7f0010000000 rw-p 00000000 00:00 0 \n"
      "Size:             262144 kB\nRss:                8192 kB\nPss:                8192 kB\nAnonymous:          8192 kB\n"
      "VmFlags: rd wr mr mw me ac sd\n"
      "55d0-55e0 r-xp 00001000 fd:01 1234   /usr/bin/qemu system-x86_64\n"
      "Rss:                  40 kB\nPss:                  20 kB\n");
  ASSERT_TRUE(mappings) << mappings.error().describe();
  ASSERT_EQ(mappings->size(), 2u);
  EXPECT_EQ((*mappings)[0].size(), 256ull << 20);
  EXPECT_EQ((*mappings)[0].name, "");
  EXPECT_EQ((*mappings)[0].rss, 8192u * 1024);
  EXPECT_EQ((*mappings)[1].name, "/usr/bin/qemu system-x86_64");
  EXPECT_EQ((*mappings)[1].pss, 20u * 1024);
}

TEST(ProcMemory, ParsesMeminfoAndCgroupLines) {
  auto info = parse_meminfo("MemTotal:       24684000 kB\nMemFree:  1 kB\nMemAvailable:   22000000 kB\n");
  ASSERT_TRUE(info);
  EXPECT_EQ(info->total, 24684000ull * 1024);
  EXPECT_EQ(info->available, 22000000ull * 1024);
  EXPECT_FALSE(parse_meminfo("MemTotal: 1 kB\n"));

  auto v1 = parse_memory_cgroup("5:devices:/\n4:memory:/isobench-container-1-2\n0::/\n");
  ASSERT_TRUE(v1);
  EXPECT_EQ(v1->path, "/isobench-container-1-2");
  EXPECT_FALSE(v1->unified);
  auto joined = parse_memory_cgroup("3:cpu,memory,pids:/a\n");
  ASSERT_TRUE(joined);
  EXPECT_EQ(joined->path, "/a");
  auto v2 = parse_memory_cgroup("0::/system.slice/x.scope\n");
  ASSERT_TRUE(v2);
  EXPECT_TRUE(v2->unified);
  EXPECT_EQ(v2->path, "/system.slice/x.scope");
  EXPECT_FALSE(parse_memory_cgroup("garbage\n"));
}

TEST(ProcMemory, ThisProcessGrowsByWhatItTouches) {
  auto before = read_process_memory(::getpid());
  ASSERT_TRUE(before) << before.error().describe();
  EXPECT_GT(before->pss, 0u);
  EXPECT_LE(before->uss, before->pss);
  EXPECT_LE(before->pss, before->rss);

  constexpr std::size_t kBytes = 32u << 20;
  void* region = ::mmap(nullptr, kBytes, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
  ASSERT_NE(region, MAP_FAILED);
  std::memset(region, 1, kBytes);
  auto after = read_process_memory(::getpid());
  auto mappings = read_mappings(::getpid());
  ::munmap(region, kBytes);
  ASSERT_TRUE(after);
  EXPECT_GE(after->uss, before->uss + kBytes * 9 / 10);
  ASSERT_TRUE(mappings) << mappings.error().describe();
  bool found = false;
  for (const auto& m : *mappings)
    if (m.start == reinterpret_cast<std::uintptr_t>(region) && m.size() >= kBytes) found = m.rss >= kBytes * 9 / 10;
  EXPECT_TRUE(found) << "the touched mapping is listed with its RSS";

  auto kernel = process_kernel_bytes(::getpid());
  ASSERT_TRUE(kernel);
  EXPECT_GE(*kernel, 16u * 1024) << "at least one kernel stack";
}

TEST(ProcMemory, FindsDescendantsAndReadsMeminfo) {
  auto child = spawn_process({"/bin/sleep", "30"}, {});
  ASSERT_TRUE(child) << child.error().describe();
  auto tree = with_descendants({::getpid()});
  EXPECT_NE(std::find(tree.begin(), tree.end(), child->pid()), tree.end());
  EXPECT_EQ(tree.front(), ::getpid());
  EXPECT_EQ(process_name(child->pid()), "sleep");

  auto info = read_meminfo();
  ASSERT_TRUE(info) << info.error().describe();
  EXPECT_GT(info->total, info->available);
  EXPECT_FALSE(read_meminfo("/proc/isobench-no-such-file"));
  EXPECT_NE(read_meminfo("/proc/isobench-no-such-file").error().describe().find("isobench-no-such-file"), std::string::npos);
}

TEST(ProcMemory, KernelBytesOfThisProcessCgroupWhenItHasOne) {
  auto dir = memory_cgroup_dir(::getpid());
  if (!dir) GTEST_SKIP() << "no memory cgroup controller visible for this process";
  auto pids = cgroup_pids(*dir);
  ASSERT_TRUE(pids) << pids.error().describe();
  EXPECT_NE(std::find(pids->begin(), pids->end(), ::getpid()), pids->end());
  auto kernel = cgroup_kernel_bytes(*dir);
  ASSERT_TRUE(kernel) << kernel.error().describe();
  EXPECT_GT(*kernel, 0u);
}

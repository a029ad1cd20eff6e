#include "engine_cli.hpp"

#include <unistd.h>

#include <atomic>

#include "runtimes/common/clock.hpp"
#include "runtimes/common/process_instance.hpp"
#include "runtimes/common/spawn.hpp"

namespace isobench {
namespace {

namespace fs = std::filesystem;

// Every engine call of a container's life: generous, since the engine's daemon may be
// busy with another container, and never waited out by a healthy run.
constexpr auto kStepTimeout = std::chrono::seconds(60);

class EngineInstance final : public ProcessInstance {
 public:
  EngineInstance(ChildProcess attach, LineReader output, EngineCli cli, std::string name,
                 std::map<std::string, std::string> attributes)
      : ProcessInstance(std::move(attach), std::move(output)),
        cli_(std::move(cli)),
        name_(std::move(name)),
        attributes_(std::move(attributes)) {}
  ~EngineInstance() override { teardown_in_destructor(); }

  std::map<std::string, std::string> attributes() const override { return attributes_; }

  // The container's init with what holds it (containerd's shim, conmon): the processes
  // this container costs on the host besides the engine's daemon. Not the attach client:
  // a container started detached has none. The client only when inspect fails.
  std::vector<pid_t> host_pids() const override {
    auto init = engine_container_pid(cli_, name_);
    if (!init || *init <= 0) return ProcessInstance::host_pids();
    std::vector<pid_t> pids = {*init};
    if (pid_t holder = parent_of(*init); holder > 1) pids.push_back(holder);
    return pids;
  }

 protected:
  Result<void> release_resources() override {
    // Removes a container that ran to the end as well as one whose attach was killed.
    // The idle workload is its container's PID 1 and has no SIGTERM handler, so the
    // kernel drops SIGTERM: an engine that waits for it to stop waits its whole grace time.
    std::vector<std::string> args = {"rm", "--force"};
    args.insert(args.end(), cli_.force_remove_flags.begin(), cli_.force_remove_flags.end());
    args.push_back(name_);
    auto removed = cli_.run(args, Deadline::after(kStepTimeout));
    if (!removed) return std::unexpected(removed.error().with_context("rm " + name_));
    return {};
  }

 private:
  static pid_t parent_of(pid_t pid) {
    std::FILE* stat = std::fopen(("/proc/" + std::to_string(pid) + "/stat").c_str(), "r");
    if (stat == nullptr) return 0;
    int ppid = 0;
    // "PID (COMM) STATE PPID": COMM has no ')' for the processes asked about here.
    if (std::fscanf(stat, "%*d (%*[^)]) %*c %d", &ppid) != 1) ppid = 0;
    std::fclose(stat);
    return ppid;
  }

  EngineCli cli_;
  std::string name_;
  std::map<std::string, std::string> attributes_;
};

}  // namespace

std::vector<std::string> EngineCli::argv(const std::vector<std::string>& args) const {
  std::vector<std::string> out = {binary.string()};
  out.insert(out.end(), global_flags.begin(), global_flags.end());
  out.insert(out.end(), args.begin(), args.end());
  return out;
}

Result<std::string> EngineCli::run(const std::vector<std::string>& args, Deadline deadline) const {
  auto out = capture_output(argv(args), deadline);
  if (!out) return std::unexpected(out.error());
  while (!out->empty() && out->back() == '\n') out->pop_back();
  return out;
}

Result<std::vector<std::string>> engine_create_args(const EngineContainerSpec& spec) {
  std::vector<std::string> args = {"create", "--name", spec.name, "--read-only", "--tmpfs", "/tmp:rw,nosuid,nodev,size=64m",
                                   "--hostname", "isobench"};
  using Kind = NetworkAttachment::Kind;
  switch (spec.network.kind) {
    case Kind::kOwn: args.insert(args.end(), {"--network", "none"}); break;
    case Kind::kHost: args.insert(args.end(), {"--network", "host"}); break;
    case Kind::kJoin:
      if (spec.joins_netns_by_path) {
        args.insert(args.end(), {"--network", "ns:" + spec.network.netns_path});
        break;
      }
      // docker joins another container's namespace or one of its own networks, not a
      // namespace prepared outside it.
      return fail("cannot join a prepared network namespace (" + spec.network.netns_path + ")");
    case Kind::kTap: return fail("a tap device is for guests");
  }
  if (spec.limits.memory_bytes) args.insert(args.end(), {"--memory", std::to_string(*spec.limits.memory_bytes)});
  if (spec.limits.cpus) args.insert(args.end(), {"--cpus", std::to_string(*spec.limits.cpus)});
  if (spec.limits.pids) args.insert(args.end(), {"--pids-limit", std::to_string(*spec.limits.pids)});
  args.insert(args.end(), spec.extra_flags.begin(), spec.extra_flags.end());
  args.push_back(spec.image);
  args.insert(args.end(), spec.command.begin(), spec.command.end());
  return args;
}

Result<std::unique_ptr<Instance>> launch_engine_container(const EngineCli& cli, const EngineContainerSpec& spec,
                                                          std::map<std::string, std::string> attributes) {
  std::int64_t launch_ns = monotonic_ns();
  auto create = engine_create_args(spec);
  if (!create) return std::unexpected(create.error());
  auto created = cli.run(*create, Deadline::after(kStepTimeout));
  if (!created) return std::unexpected(created.error().with_context("create " + spec.name));
  std::int64_t created_ns = monotonic_ns();

  auto output = make_pipe();
  if (!output) return std::unexpected(output.error());
  SpawnIo io{-1, output->write_end.get(), output->write_end.get()};
  auto attach = spawn_process(cli.argv({"start", "--attach", spec.name}), io, cli.env);
  if (!attach) {
    (void)cli.run({"rm", "--force", spec.name}, Deadline::after(kStepTimeout));
    return std::unexpected(attach.error().with_context("start " + spec.name));
  }
  output->write_end.reset();
  auto instance = std::make_unique<EngineInstance>(std::move(*attach), LineReader(std::move(output->read_end)), cli,
                                                   spec.name, std::move(attributes));
  instance->phases().mark_at("launch", launch_ns);
  instance->phases().mark_at("created", created_ns);
  return instance;
}

Result<pid_t> engine_container_pid(const EngineCli& cli, const std::string& name) {
  auto out = cli.run({"inspect", "--format", "{{.State.Pid}}", name}, Deadline::after(std::chrono::seconds(10)));
  if (!out) return std::unexpected(out.error());
  try {
    return static_cast<pid_t>(std::stol(*out));
  } catch (const std::exception&) {
    return fail("inspect " + name + ": not a pid: " + *out);
  }
}

Result<double> engine_import_image(const EngineCli& cli, const fs::path& rootfs, const std::string& entrypoint,
                                   const std::string& name, const fs::path& scratch) {
  std::error_code ec;
  const bool archive = fs::is_regular_file(rootfs, ec);
  if (!archive && !fs::is_directory(rootfs, ec))
    return fail("import " + name + ": " + in_quotes(rootfs) + " is neither a directory nor a tar file");
  std::int64_t start = monotonic_ns();
  fs::path tar = archive ? rootfs : scratch / (name + ".tar");
  if (!archive) {
    auto packed = capture_output({"/bin/tar", "--create", "--file", tar.string(), "--directory", rootfs.string(), "."},
                                 Deadline::after(std::chrono::seconds(120)));
    if (!packed) {
      ::unlink(tar.c_str());
      return std::unexpected(packed.error().with_context("image tar"));
    }
  }
  // A distro rootfs is a few hundred MB: the engine unpacks it into its storage.
  auto imported = cli.run({"import", "--change", "ENTRYPOINT [\"" + entrypoint + "\"]", tar.string(), name},
                          Deadline::after(std::chrono::seconds(archive ? 600 : 120)));
  std::int64_t end = monotonic_ns();
  if (!archive) ::unlink(tar.c_str());
  if (!imported) return std::unexpected(imported.error().with_context("import " + name));
  return static_cast<double>(end - start) / 1e9;
}

Result<double> engine_build_and_remove_image(const EngineCli& cli, const fs::path& rootfs, const std::string& entrypoint,
                                             const std::string& name, const fs::path& scratch) {
  auto built = engine_import_image(cli, rootfs, entrypoint, name, scratch);
  auto removed = cli.run({"image", "rm", "--force", name}, Deadline::after(kStepTimeout));
  if (!built) return std::unexpected(built.error());
  if (!removed) return std::unexpected(removed.error().with_context("image rm " + name));
  return built;
}

std::string engine_version_word(const std::string& version_line) {
  std::string line = version_line.substr(0, version_line.find('\n'));
  auto at = line.find("version ");
  if (at == std::string::npos) return line;
  std::string word = line.substr(at + 8);
  return word.substr(0, word.find_first_of(", "));
}

}  // namespace isobench

// `bench --docker-host` against a real Docker daemon that is not bench's: a second,
// independent dockerd that this test starts and stops itself plays the user's daemon,
// with an image and a running container of its own. bench runs its docker backend
// against it (startup and image, the distro import included), and afterwards the daemon
// still answers, is the same process with the same configuration, holds exactly what it
// held before (its container still running since the same instant), and its own event
// log shows that bench created and removed only bench's image and containers.
#include <gtest/gtest.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <sys/mount.h>
#include <time.h>
#include <unistd.h>

#include <cstdio>
#include <fstream>
#include <map>
#include <set>
#include <sstream>
#include <nlohmann/json.hpp>

#include "docker/docker_backend.hpp"
#include "docker/private_dockerd.hpp"
#include "docker/unix_http.hpp"
#include "engine/engine_cli.hpp"
#include "engine/engine_host.hpp"
#include "image/minimal_image.hpp"
#include "oci/oci_runtime.hpp"
#include "common/spawn.hpp"
#include "common/unique_fd.hpp"
#include "common/unix_sockets.hpp"
#include "runtimes/common/proc_file.hpp"

using namespace isobench;
namespace fs = std::filesystem;

namespace {

std::string read_text(const fs::path& path) {
  std::ifstream in(path);
  return std::string((std::istreambuf_iterator<char>(in)), {});
}

std::vector<std::string> lines_of(const std::string& text) {
  std::vector<std::string> out;
  std::istringstream in(text);
  for (std::string line; std::getline(in, line);)
    if (!line.empty()) out.push_back(line);
  return out;
}

// Mount points at or below `dir`, deepest first.
std::vector<std::string> mounts_below(const fs::path& dir) {
  std::vector<std::string> out;
  for (const auto& line : lines_of(read_text("/proc/self/mountinfo"))) {
    std::istringstream fields(line);
    std::string id, parent, devno, root, mount_point;
    if (!(fields >> id >> parent >> devno >> root >> mount_point)) continue;
    if (mount_point.starts_with(dir.string() + "/")) out.push_back(mount_point);
  }
  std::sort(out.begin(), out.end(), [](const auto& a, const auto& b) { return a.size() > b.size(); });
  return out;
}

std::vector<std::string> cgroups_named(const std::string& name) {
  std::vector<std::string> out;
  std::error_code ec;
  for (const auto& hierarchy : fs::directory_iterator("/sys/fs/cgroup", ec))
    if (fs::exists(hierarchy.path() / name, ec)) out.push_back(hierarchy.path() / name);
  return out;
}

// Seconds since the epoch with nanoseconds, as `docker events --since/--until` read them.
std::string wall_clock_now() {
  timespec now{};
  ::clock_gettime(CLOCK_REALTIME, &now);
  char text[40];
  std::snprintf(text, sizeof text, "%lld.%09ld", static_cast<long long>(now.tv_sec), now.tv_nsec);
  return text;
}

// Directories a dockerd and its containerd make on the host whatever their roots.
const char* const kHostDirs[] = {"/run/docker",     "/run/docker/plugins", "/run/containerd",    "/run/containerd/s",
                                 "/opt/containerd", "/opt/containerd/bin", "/opt/containerd/lib"};

// "The user's daemon": a dockerd of this test's own under /tmp/isobench-userdockerd-PID-*
// (data root, exec root with its containerd, socket, pidfile, trust key), with the flags
// that leave the host's firewall and routes alone, and a cgroup parent named after it.
// stop() ends it with SIGTERM, as its owner would, and removes what it leaves.
class UserDockerd {
 public:
  ~UserDockerd() { (void)stop(); }

  Result<void> start(const fs::path& dockerd) {
    std::string pattern = "/tmp/isobench-userdockerd-" + std::to_string(::getpid()) + "-XXXXXX";
    if (::mkdtemp(pattern.data()) == nullptr) return fail_errno("mkdtemp " + pattern);
    dir_ = pattern;
    cgroup_ = "isobench-userdockerd-" + std::to_string(::getpid());
    for (const char* dir : kHostDirs)
      if (::access(dir, F_OK) != 0) made_host_dirs_.push_back(dir);
    std::ofstream(dir_ / "daemon.json") << "{\"deprecated-key-path\": \"" << (dir_ / "key.json").string() << "\"}\n";
    const std::string d = dir_.string();
    log_ = UniqueFd(::open((dir_ / "dockerd.log").c_str(), O_WRONLY | O_CREAT | O_CLOEXEC, 0600));
    auto child = spawn_process({dockerd.string(), "--config-file", d + "/daemon.json", "--data-root", d + "/data",
                                "--exec-root", d + "/exec", "--host", host_uri(), "--pidfile", d + "/docker.pid",
                                "--iptables=false", "--ip-masq=false", "--ip-forward=false", "--bridge=none",
                                "--cgroup-parent", "/" + cgroup_, "--exec-opt", "native.cgroupdriver=cgroupfs"},
                               {-1, log_.get(), log_.get()});
    if (!child) return std::unexpected(child.error());
    daemon_ = std::move(*child);
    return wait_until_dockerd_serves(socket(), daemon_, Deadline::after(std::chrono::seconds(90)));
  }

  // True while the process this test started has not exited (its pidfd is not readable).
  bool alive() const {
    pollfd exited{daemon_.pidfd(), POLLIN, 0};
    return daemon_.pid() > 0 && ::poll(&exited, 1, 0) == 0;
  }

  // SIGTERM, then what a stopped daemon may still leave: its cgroup parent (dockerd never
  // removes it), processes, mounts and shim sockets; the directory; the host dirs it made.
  // Returns what had to be removed beyond the directory and the cgroup parent.
  std::vector<std::string> stop() {
    std::vector<std::string> forced;
    if (dir_.empty()) return forced;
    if (daemon_.running()) {
      (void)daemon_.signal(SIGTERM);
      if (!daemon_.wait(Deadline::after(std::chrono::seconds(60)))) {
        daemon_.kill_and_reap();
        forced.push_back("dockerd did not stop within 60 s of SIGTERM");
      }
    }
    std::vector<pid_t> left = processes_naming(dir_.string());
    for (const auto& socket : unix_sockets_held_under(left, "/run/containerd/s")) {
      forced.push_back("shim socket " + socket.string());
      ::unlink(socket.c_str());
    }
    for (pid_t pid : left) {
      forced.push_back("process " + std::to_string(pid) + ": " + read_proc_file("/proc/" + std::to_string(pid) + "/cmdline"));
      kill_and_wait(pid, Deadline::after(std::chrono::seconds(10)));
    }
    for (const auto& mount_point : mounts_below(dir_)) {
      forced.push_back("mount " + mount_point);
      ::umount2(mount_point.c_str(), MNT_DETACH);
    }
    (void)remove_cgroup_everywhere(cgroup_);
    std::error_code ec;
    fs::remove_all(dir_, ec);
    for (auto it = made_host_dirs_.rbegin(); it != made_host_dirs_.rend(); ++it) ::rmdir(it->c_str());
    dir_.clear();
    return forced;
  }

  fs::path socket() const { return dir_ / "docker.sock"; }
  std::string host_uri() const { return "unix://" + socket().string(); }
  const fs::path& dir() const { return dir_; }
  const std::string& cgroup() const { return cgroup_; }
  pid_t pid() const { return daemon_.pid(); }

 private:
  fs::path dir_;
  std::string cgroup_;
  UniqueFd log_;
  ChildProcess daemon_;
  std::vector<fs::path> made_host_dirs_;
};

// What the user's daemon holds and how it is configured: must read the same before and
// after bench.
struct DaemonState {
  std::string info, images, containers, resident;
  bool operator==(const DaemonState&) const = default;
};

std::ostream& operator<<(std::ostream& out, const DaemonState& s) {
  return out << "info: " << s.info << "\nimages:\n" << s.images << "\ncontainers:\n" << s.containers
             << "\nresident: " << s.resident;
}

struct BenchRun {
  int exit_code = -1;
  pid_t pid = 0;
  std::string out, err;
  nlohmann::json results;
};

// `bench ARGS` with ISOBENCH_STATE_DIR=state, DOCKER_HOST unset; its stdout and stderr in
// DIR, results.json read from DIR/run when it wrote one there (--out DIR/run).
BenchRun run_bench(std::vector<std::string> args, const fs::path& dir, const fs::path& state) {
  const char* bench = std::getenv("ISOBENCH_BENCH");
  args.insert(args.begin(), bench ? bench : "bench");
  std::vector<std::string> env;
  for (char** e = environ; *e != nullptr; ++e)
    if (!std::string_view(*e).starts_with("DOCKER_HOST=") && !std::string_view(*e).starts_with("ISOBENCH_STATE_DIR="))
      env.emplace_back(*e);
  env.push_back("ISOBENCH_STATE_DIR=" + state.string());
  UniqueFd err(::open((dir / "bench.err").c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600));
  UniqueFd out(::open((dir / "bench.out").c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600));
  BenchRun run;
  auto child = spawn_process(args, {-1, out.get(), err.get()}, env);
  if (!child) {
    run.err = child.error().describe();
    return run;
  }
  run.pid = child->pid();
  auto status = child->wait(Deadline::after(std::chrono::seconds(240)));  // killed by ~ChildProcess when late
  run.exit_code = status && status->exited ? status->exit_code : -1;
  run.out = read_text(dir / "bench.out");
  run.err = read_text(dir / "bench.err");
  std::ifstream results(dir / "run" / "results.json");
  if (results) run.results = nlohmann::json::parse(results, nullptr, false);
  return run;
}

// name -> its iteration rows.
std::map<std::string, std::vector<nlohmann::json>> iterations(const nlohmann::json& results) {
  std::map<std::string, std::vector<nlohmann::json>> out;
  if (!results.is_object() || !results.contains("benchmarks")) return out;
  for (const auto& row : results["benchmarks"])
    if (row.value("run_type", "") == "iteration") out[row.value("run_name", "")].push_back(row);
  return out;
}

class DockerUserDaemon : public ::testing::Test {
 protected:
  void SetUp() override {
    if (::geteuid() != 0) GTEST_SKIP() << "needs root: a second dockerd plays the user's";
    auto dockerd = find_runtime_binary("dockerd");
    if (!dockerd || ::access("/usr/bin/docker", X_OK) != 0) GTEST_SKIP() << "docker.io is not installed";
    if (::access("/run/containerd/containerd.sock", F_OK) == 0)
      GTEST_SKIP() << "a host containerd answers at /run/containerd: dockerd 20.10 would use it";
    char dir[] = "/tmp/isobench-userdaemon-test-XXXXXX";
    ASSERT_NE(::mkdtemp(dir), nullptr);
    work_ = dir;
    auto started = daemon_.start(*dockerd);
    ASSERT_TRUE(started) << started.error().describe() << "; its log: " << read_text(daemon_.dir() / "dockerd.log");
    cli_ = EngineCli{"/usr/bin/docker", {"--host", daemon_.host_uri()}, {}, {}};
  }
  void TearDown() override {
    // The test's own image and container, then the daemon, as their owner would.
    if (!resident_.empty()) (void)docker({"rm", "--force", resident_});
    if (!own_image_.empty()) (void)docker({"image", "rm", "--force", own_image_});
    fs::path dir = daemon_.dir();
    std::string cgroup = daemon_.cgroup();
    std::vector<std::string> forced = daemon_.stop();
    EXPECT_EQ(forced, std::vector<std::string>{}) << "the daemon's own stop left these";
    if (!dir.empty()) {
      EXPECT_TRUE(processes_naming(dir.string()).empty());
      EXPECT_TRUE(mounts_below(dir).empty());
      EXPECT_FALSE(fs::exists(dir));
      EXPECT_EQ(cgroups_named(cgroup), std::vector<std::string>{});
    }
    if (!work_.empty()) fs::remove_all(work_);
  }

  Result<std::string> docker(const std::vector<std::string>& args) const {
    return cli_.run(args, Deadline::after(std::chrono::seconds(120)));
  }
  std::string must(const std::vector<std::string>& args) {
    auto out = docker(args);
    EXPECT_TRUE(out) << "docker " << args.front() << ": " << (out ? "" : out.error().describe());
    return out.value_or("");
  }

  BackendConfig own_config() const {
    BackendConfig config;
    config.workload_binary = ISOBENCH_WORKLOAD_BINARY;
    config.state_dir = work_ / "own";
    return config;
  }

  // The user's image (an import of the minimal rootfs) and a container of theirs running.
  void populate() {
    auto rootfs = ensure_minimal_image(own_config());
    ASSERT_TRUE(rootfs) << rootfs.error().describe();
    own_image_ = "isobench-userdaemon-" + std::to_string(::getpid()) + "-own";
    auto own_import = engine_import_image(cli_, rootfs->rootfs, "/isobench-workload", own_image_, work_);
    ASSERT_TRUE(own_import) << own_import.error().describe();
    resident_ = "isobench-userdaemon-" + std::to_string(::getpid()) + "-resident";
    must({"run", "--detach", "--name", resident_, "--network", "none", own_image_, "idle", "600"});
  }

  DaemonState daemon_state() {
    DaemonState s;
    s.info = must({"info", "--format",
                   "{{.ID}} {{.DockerRootDir}} {{.Driver}} {{.CgroupDriver}} {{.DefaultRuntime}} {{.LiveRestoreEnabled}} "
                   "{{json .SecurityOptions}} {{.Containers}} {{.ContainersRunning}} {{.Images}}"});
    s.images = must({"images", "--all", "--no-trunc", "--format", "{{.ID}} {{.Repository}}:{{.Tag}}"});
    s.containers = must({"ps", "--all", "--no-trunc", "--format", "{{.ID}} {{.Names}} {{.Image}}"});
    s.resident = must({"inspect", "--format", "{{.State.Running}} {{.State.Pid}} {{.State.StartedAt}} {{.RestartCount}}",
                       resident_});
    return s;
  }

  fs::path work_;
  UserDockerd daemon_;
  EngineCli cli_;
  std::string own_image_, resident_;
};

}  // namespace

TEST_F(DockerUserDaemon, BenchUsesItAndLeavesItRunningUnchangedWithOnlyWhatItHeldBefore) {
  // The user's own image and a container of theirs that runs through bench's whole run.
  ASSERT_NO_FATAL_FAILURE(populate());
  const DaemonState before = daemon_state();
  ASSERT_NE(before.resident.find("true"), std::string::npos) << before.resident;
  auto rootfs = ensure_minimal_image(own_config());
  ASSERT_TRUE(rootfs) << rootfs.error().describe();
  const std::string resident_id = must({"inspect", "--format", "{{.Id}}", resident_});
  const std::string own_image_id = must({"image", "inspect", "--format", "{{.Id}}", own_image_});
  const std::string config_before = read_text(daemon_.dir() / "daemon.json");

  // A distro rootfs as scripts/build-distro-image leaves it (its sizes, and the tar that
  // the engines import): the minimal rootfs stands in for Debian's here.
  fs::path state_dir = work_ / "state";
  fs::path distro = state_dir / "images" / "distro";
  fs::create_directories(distro);
  auto tar = capture_output({"/bin/tar", "--create", "--file", (distro / "container.tar").string(), "--directory",
                             rootfs->rootfs.string(), "."},
                            Deadline::after(std::chrono::seconds(60)));
  ASSERT_TRUE(tar) << tar.error().describe();
  std::ofstream(distro / "sizes.json")
      << R"({"container": {"image_bytes": 1000000, "compressed_bytes": 400000, "build_s": 12.5, "tar_s": 0.25}})";

  const std::string since = wall_clock_now();
  BenchRun run = run_bench({"--backend", "docker", "--docker-host", daemon_.host_uri(), "--suite", "startup,image",
                            "--filter", "startup/docker/noop$|image/docker/", "--repetitions", "2", "--out",
                            (work_ / "run").string()},
                           work_, state_dir);
  const std::string until = wall_clock_now();
  EXPECT_EQ(run.exit_code, 0) << run.err;
  EXPECT_EQ(run.err.find("leak"), std::string::npos) << run.err;

  // bench used this daemon, imported its own image and timed its runs and builds.
  ASSERT_TRUE(run.results.is_object()) << run.err;
  const auto& manifest = run.results["context"]["backends"]["docker"];
  EXPECT_EQ(manifest.value("daemon", ""), "user") << manifest.dump();
  const std::string prefix = "isobench-docker-" + std::to_string(run.pid) + "-";
  EXPECT_EQ(manifest.value("image", ""), prefix + "minimal") << manifest.dump();
  auto rows = iterations(run.results);
  ASSERT_EQ(rows["startup/docker/noop"].size(), 2u);
  for (const auto& row : rows["startup/docker/noop"]) {
    EXPECT_FALSE(row.value("error_occurred", false)) << row.dump();
    EXPECT_EQ(row["attributes"].value("daemon", ""), "user") << row.dump();
  }
  for (const char* name : {"image/docker/minimal", "image/docker/distro"}) {
    ASSERT_EQ(rows[name].size(), 2u) << name;
    for (const auto& row : rows[name]) {
      ASSERT_FALSE(row.value("error_occurred", false)) << row.dump();
      EXPECT_GT(row.value("engine_import_s", 0.0), 0) << row.dump();
    }
  }
  // The distro row: the script's build and tar, then this daemon's import of its tar.
  for (const auto& row : rows["image/docker/distro"])
    EXPECT_NEAR(row["build_s"].get<double>(), 12.5 + 0.25 + row["engine_import_s"].get<double>(), 1e-9) << row.dump();

  // The daemon: the same process, still serving, configured as before, holding exactly
  // what it held (its container running since the same instant).
  EXPECT_TRUE(daemon_.alive()) << "bench stopped the user's daemon";
  auto ping = unix_http_get(daemon_.socket(), "/_ping", Deadline::after(std::chrono::seconds(10)));
  ASSERT_TRUE(ping) << ping.error().describe();
  EXPECT_EQ(ping->status, 200);
  EXPECT_EQ(read_text(daemon_.dir() / "daemon.json"), config_before);
  EXPECT_EQ(daemon_state(), before);

  // Its event log over bench's run: containers and images bench named for itself, each
  // container it created removed again, bench's images imported and deleted, nothing of
  // the user's touched, no daemon reload.
  auto events = docker({"events", "--since", since, "--until", until, "--format", "{{json .}}"});
  ASSERT_TRUE(events) << events.error().describe();
  std::set<std::string> created, destroyed, imported, deleted;
  std::size_t imports = 0;
  for (const auto& line : lines_of(*events)) {
    auto event = nlohmann::json::parse(line, nullptr, false);
    ASSERT_FALSE(event.is_discarded()) << line;
    const std::string type = event.value("Type", ""), action = event.value("Action", "");
    const auto& actor = event["Actor"];
    const std::string id = actor.value("ID", "");
    const std::string name = actor.contains("Attributes") ? actor["Attributes"].value("name", "") : "";
    EXPECT_NE(type, "daemon") << line;
    EXPECT_NE(id, resident_id) << "bench touched the user's container: " << line;
    EXPECT_NE(id, own_image_id) << "bench touched the user's image: " << line;
    if (type == "container") {
      EXPECT_TRUE(name.starts_with(prefix)) << "a container bench did not name as its own: " << line;
      if (action == "create") created.insert(id);
      if (action == "destroy") destroyed.insert(id);
    }
    if (type == "image") {
      if (action == "import") ++imports, imported.insert(id);
      if (action == "delete") deleted.insert(id);
      // dockerd 20.10 names an imported image by its ID in these events; what bench
      // untags is an image it imported in this run.
      if (action == "untag" || action == "delete") {
        EXPECT_TRUE(imported.contains(id)) << line;
      }
      if (action == "import") {
        EXPECT_TRUE(name.starts_with(prefix) || name == id) << line;
      }
    }
  }
  EXPECT_GE(created.size(), 3u) << "the probe's container and two startup repetitions";
  EXPECT_EQ(created, destroyed) << "a container bench created was not removed";
  // The run's image and each timed build (2 minimal, 2 distro), each deleted again.
  EXPECT_EQ(imports, 5u) << *events;
  EXPECT_EQ(imported, deleted) << *events;

  // bench doctor on that daemon: says whose it is and what bench does there, and leaves it
  // as it was too.
  BenchRun doctor = run_bench({"doctor", "--docker-host", daemon_.host_uri()}, work_, state_dir);
  EXPECT_EQ(doctor.exit_code, 0) << doctor.err;
  EXPECT_NE(doctor.out.find("ok    docker: your dockerd"), std::string::npos) << doctor.out;
  EXPECT_NE(doctor.out.find("the daemon at " + daemon_.host_uri() + " answers"), std::string::npos) << doctor.out;
  EXPECT_TRUE(daemon_.alive());
  EXPECT_EQ(daemon_state(), before);
}

// What a failed step of bench left in the user's daemon (a container whose removal
// failed, a build image) is named for the run: shut-down removes it and says so, and
// leaves the user's own image and container where they were.
TEST_F(DockerUserDaemon, ShutDownRemovesWhatTheRunLeftThereAndReportsIt) {
  ASSERT_NO_FATAL_FAILURE(populate());
  const DaemonState before = daemon_state();
  BackendConfig config = own_config();
  config.state_dir = work_ / "state";
  config.docker_host = daemon_.host_uri();
  auto backend = make_docker_backend(config);
  Availability available = backend->probe();
  ASSERT_TRUE(available.available) << available.reason;
  const std::string image = backend->manifest().at("image");
  const std::string prefix = "isobench-docker-" + std::to_string(::getpid()) + "-";
  ASSERT_EQ(image, prefix + "minimal");
  must({"create", "--name", prefix + "77", "--network", "none", image, "noop"});
  must({"tag", image, prefix + "build-99"});
  auto stopped = backend->shut_down();
  ASSERT_FALSE(stopped) << "a leftover in the user's daemon went unreported";
  EXPECT_NE(stopped.error().describe().find("left in the daemon at " + daemon_.host_uri() + " by this run, removed: container " +
                                            prefix + "77, image " + prefix + "build-99"),
            std::string::npos)
      << stopped.error().describe();
  EXPECT_TRUE(daemon_.alive());
  EXPECT_EQ(daemon_state(), before);
  EXPECT_TRUE(backend->shut_down()) << "idempotent";
}

// A distro built by an older script (sizes.json without the rootfs tar): the engine's
// distro row fails naming the missing file and the fix; the run goes on and leaves the
// daemon as it was.
TEST_F(DockerUserDaemon, ADistroWithoutItsRootfsTarFailsTheEnginesRowNamingTheFile) {
  ASSERT_NO_FATAL_FAILURE(populate());
  const DaemonState before = daemon_state();
  fs::path distro = work_ / "state" / "images" / "distro";
  fs::create_directories(distro);
  std::ofstream(distro / "sizes.json") << R"({"container": {"image_bytes": 1000000, "build_s": 12.5}})";
  BenchRun run = run_bench({"--backend", "docker", "--docker-host", daemon_.host_uri(), "--suite", "image", "--filter",
                            "image/docker/", "--repetitions", "1", "--out", (work_ / "run").string()},
                           work_, work_ / "state");
  EXPECT_EQ(run.exit_code, 1) << run.err;  // a benchmark failed
  auto rows = iterations(run.results);
  ASSERT_EQ(rows["image/docker/distro"].size(), 1u) << run.err;
  const auto& row = rows["image/docker/distro"][0];
  EXPECT_TRUE(row.value("error_occurred", false)) << row.dump();
  const std::string message = row.value("error_message", "");
  EXPECT_NE(message.find("`" + (distro / "container.tar").string() + "`"), std::string::npos) << message;
  EXPECT_NE(message.find("rerun scripts/build-distro-image"), std::string::npos) << message;
  ASSERT_EQ(rows["image/docker/minimal"].size(), 1u);
  EXPECT_FALSE(rows["image/docker/minimal"][0].value("error_occurred", false)) << "the run went on";
  EXPECT_TRUE(daemon_.alive());
  EXPECT_EQ(daemon_state(), before);
}

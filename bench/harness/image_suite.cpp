// `image/BACKEND/minimal`: the bytes a user must ship or store to run the workload, on
// disk and gzip-compressed, and the time isobench takes to build them (the row's time):
//   bare              the static workload binary itself (nothing to build)
//   container/crun/runc  the shared minimal rootfs (runtimes/image), also as a tar
//   vm/qemu           the guest kernel + isobench's initramfs (no modules: the guest
//                     needs none to run /init on the serial console)
// `image/BACKEND/distro`: Debian minbase as a container rootfs and as a bootable VM
// disk, only where scripts/build-distro-image has written its sizes (never built here).
// A container engine's distro row also imports the rootfs tar that script keeps
// (container.tar), timed like its minimal row: build_s is the script's build, its tar
// and the engine's import.
#include <stdlib.h>
#include <sys/stat.h>

#include <fstream>
#include <nlohmann/json.hpp>

#include "runtimes/guest/guest_kernel.hpp"
#include "runtimes/guest/initramfs.hpp"
#include "runtimes/image/minimal_image.hpp"
#include "archive_size.hpp"
#include "footprint.hpp"
#include "plan.hpp"

namespace isobench {
namespace fs = std::filesystem;

namespace {

// Which image a backend runs: a container rootfs, a guest kernel and initramfs, or the
// binary itself.
enum class ImageKind { kBinary, kRootfs, kGuest };

ImageKind image_kind(const BackendTraits& traits) {
  switch (traits.family) {
    case BackendFamily::kContainer:
    case BackendFamily::kOci:
    case BackendFamily::kSandbox: return ImageKind::kRootfs;
    case BackendFamily::kVm: return ImageKind::kGuest;
    // A VMM with no guest OS loads the static binary itself.
    case BackendFamily::kProcess:
    case BackendFamily::kMicroVm: return ImageKind::kBinary;
  }
  return ImageKind::kBinary;
}

// A scratch state dir, so that every repetition really builds.
class ScratchDir {
 public:
  ScratchDir() {
    std::string pattern = (fs::temp_directory_path() / "isobench-image-XXXXXX").string();
    if (::mkdtemp(pattern.data())) path_ = pattern;
  }
  ~ScratchDir() {
    std::error_code ec;
    if (!path_.empty()) fs::remove_all(path_, ec);
  }
  ScratchDir(const ScratchDir&) = delete;
  ScratchDir& operator=(const ScratchDir&) = delete;
  const fs::path& path() const { return path_; }

 private:
  fs::path path_;
};

Result<std::uint64_t> file_bytes(const fs::path& path) {
  struct stat st{};
  if (::stat(path.c_str(), &st) != 0) return fail_errno("stat " + in_quotes(path.string()));
  return static_cast<std::uint64_t>(st.st_size);
}

struct ImageFigures {
  std::uint64_t image_bytes = 0;
  std::uint64_t compressed_bytes = 0;
  double build_s = 0;
  std::map<std::string, double> extra;
};

Result<ImageFigures> bare_image(const BackendConfig& config) {
  auto bytes = file_bytes(config.workload_binary);
  if (!bytes) return std::unexpected(bytes.error());
  auto compressed = gzip_size(config.workload_binary);
  if (!compressed) return std::unexpected(compressed.error());
  return ImageFigures{*bytes, *compressed, 0, {}};
}

Result<ImageFigures> container_image(BackendConfig config, Backend& backend) {
  ScratchDir scratch;
  if (scratch.path().empty()) return fail_errno("mkdtemp in " + in_quotes(fs::temp_directory_path().string()));
  config.state_dir = scratch.path();
  auto image = ensure_minimal_image(config);
  if (!image) return std::unexpected(image.error());
  auto bytes = tree_bytes(image->rootfs);
  if (!bytes) return std::unexpected(bytes.error());
  auto archive = tar_gzip_size(image->rootfs);
  if (!archive) return std::unexpected(archive.error());
  ImageFigures figures{*bytes, archive->gzip_bytes, image->build_s, {{"tar_bytes", static_cast<double>(archive->tar_bytes)}}};
  // An engine builds an image of its own from the rootfs (docker import): part of what
  // building and deploying this container's image costs.
  auto engine_build = backend.build_image_from(image->rootfs);
  if (!engine_build) return std::unexpected(engine_build.error());
  if (*engine_build) {
    figures.build_s += **engine_build;
    figures.extra["engine_import_s"] = **engine_build;
  }
  return figures;
}

Result<ImageFigures> guest_image(const BackendConfig& config) {
  fs::path kernel_path = config.guest_kernel.value_or(guest::cached_kernel_path(config.state_dir));
  auto kernel = guest::validate_kernel(kernel_path);
  if (!kernel) return std::unexpected(kernel.error());
  ScratchDir scratch;
  if (scratch.path().empty()) return fail_errno("mkdtemp in " + in_quotes(fs::temp_directory_path().string()));
  auto initramfs = guest::build_initramfs(config.workload_binary, scratch.path());
  if (!initramfs) return std::unexpected(initramfs.error());
  auto kernel_bytes = file_bytes(kernel->path);
  if (!kernel_bytes) return std::unexpected(kernel_bytes.error());
  auto kernel_gz = gzip_size(kernel->path);
  if (!kernel_gz) return std::unexpected(kernel_gz.error());
  auto initramfs_gz = gzip_size(initramfs->path);
  if (!initramfs_gz) return std::unexpected(initramfs_gz.error());
  return ImageFigures{*kernel_bytes + initramfs->bytes, *kernel_gz + *initramfs_gz, initramfs->build_s,
                      {{"kernel_bytes", static_cast<double>(*kernel_bytes)},
                       {"initramfs_bytes", static_cast<double>(initramfs->bytes)},
                       {"modules_bytes", 0}}};
}

Result<ImageFigures> minimal_image(ImageKind kind, const BackendConfig& config, Backend& backend) {
  switch (kind) {
    case ImageKind::kBinary: return bare_image(config);
    case ImageKind::kRootfs: return container_image(config, backend);
    case ImageKind::kGuest: return guest_image(config);
  }
  return fail("unknown image kind");
}

void record_image(benchmark::State& state, const ImageFigures& figures) {
  state.SetIterationTime(figures.build_s);
  state.counters["image_bytes"] = static_cast<double>(figures.image_bytes);
  state.counters["compressed_bytes"] = static_cast<double>(figures.compressed_bytes);
  state.counters["build_s"] = figures.build_s;
  for (const auto& [key, value] : figures.extra) state.counters[key] = value;
}

// STATE_DIR/images/distro/sizes.json, written by scripts/build-distro-image.
fs::path distro_sizes_path(const BackendConfig& config) { return config.state_dir / "images/distro/sizes.json"; }

// The distro rootfs as a tar, beside sizes.json: what an engine imports.
fs::path distro_tar_path(const fs::path& sizes_path) { return sizes_path.parent_path() / "container.tar"; }

Result<ImageFigures> distro_image(ImageKind kind, const fs::path& sizes_path) {
  std::ifstream in(sizes_path);
  if (!in) return fail_errno("open " + in_quotes(sizes_path.string()));
  auto sizes = nlohmann::json::parse(in, nullptr, false);
  const char* side = kind == ImageKind::kRootfs ? "container" : "vm";
  if (sizes.is_discarded() || !sizes.contains(side) || !sizes[side].is_object())
    return fail(in_quotes(sizes_path.string()) + ": no `" + side + "` object (rerun scripts/build-distro-image)");
  ImageFigures figures;
  for (const auto& [key, value] : sizes[side].items()) {
    if (!value.is_number()) continue;
    if (key == "image_bytes") figures.image_bytes = value.get<std::uint64_t>();
    else if (key == "compressed_bytes") figures.compressed_bytes = value.get<std::uint64_t>();
    else if (key == "build_s") figures.build_s = value.get<double>();
    else figures.extra[key] = value.get<double>();
  }
  if (figures.image_bytes == 0) return fail(in_quotes(sizes_path.string()) + ": `" + side + ".image_bytes` missing");
  return figures;
}

// An engine's distro image: the script's figures, plus the engine's own import of the
// rootfs tar (and the tar itself, which the script timed as `tar_s`).
Result<ImageFigures> engine_distro_image(const fs::path& sizes_path, Backend& backend) {
  auto figures = distro_image(ImageKind::kRootfs, sizes_path);
  if (!figures) return figures;
  fs::path tar = distro_tar_path(sizes_path);
  if (::access(tar.c_str(), R_OK) != 0)
    return fail_errno(in_quotes(tar.string()) + ", the distro rootfs " + backend.name() +
                      " imports (rerun scripts/build-distro-image)");
  auto imported = backend.build_image_from(tar);
  if (!imported) return std::unexpected(imported.error());
  if (!*imported) return fail(backend.name() + " builds no image of its own");
  if (auto tar_s = figures->extra.find("tar_s"); tar_s != figures->extra.end()) figures->build_s += tar_s->second;
  figures->build_s += **imported;
  figures->extra["engine_import_s"] = **imported;
  return figures;
}

}  // namespace

void add_image_suite(Plan& plan) {
  if (!plan.wants_suite("image")) return;
  const BackendConfig& config = plan.backends().config();
  const bool distro_built = fs::exists(distro_sizes_path(config));
  for (const auto& name : plan.backends().names()) {
    if (!plan.wants_backend(name)) continue;
    Backend* backend = plan.backends().find(name);
    const BackendTraits traits = backend->traits();
    if (!traits.runs_workloads) continue;
    const ImageKind kind = image_kind(traits);
    std::string bench_name = "image/" + name + "/minimal";
    const Availability& availability = plan.backends().availability(name);
    if (!availability.available) {
      plan.add_unavailable(bench_name, availability.reason);
      continue;
    }
    plan.add({bench_name, plan.repetitions(3, 1), [kind, config, backend](benchmark::State& state) {
                for (auto _ : state) {
                  auto figures = minimal_image(kind, config, *backend);
                  if (!figures) return record_failure(state, figures.error().describe());
                  record_image(state, *figures);
                }
              }});
    // scripts/build-distro-image writes a container rootfs and a VM disk.
    if (distro_built && kind != ImageKind::kBinary) {
      fs::path sizes = distro_sizes_path(config);
      const bool engine = traits.container_engine;
      // Reading the script's sizes needs one repetition; an engine's import is timed anew.
      const int repetitions = engine ? plan.repetitions(3, 1) : 1;
      plan.add({"image/" + name + "/distro", repetitions, [kind, sizes, engine, backend](benchmark::State& state) {
                  for (auto _ : state) {
                    auto figures = engine ? engine_distro_image(sizes, *backend) : distro_image(kind, sizes);
                    if (!figures) return record_failure(state, figures.error().describe());
                    record_image(state, *figures);
                  }
                }});
    }
  }
}

}  // namespace isobench

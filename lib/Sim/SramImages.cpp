//===- SramImages.cpp - Initial SRAM contents, shared until written -------===//
#include "SramImages.h"

#include <cerrno>
#include <cstring>
#include <map>
#include <new>
#include <sys/mman.h>
#include <tuple>
#include <unistd.h>

namespace dojo::sim::detail {

namespace {

uintptr_t pageSize() {
  static const uintptr_t page = uintptr_t(::sysconf(_SC_PAGESIZE));
  return page;
}

/// A segment's whole pages: [lo, hi) of host addresses, page aligned
/// (empty when the segment covers none).
struct PageRun {
  uintptr_t lo, hi;
};

PageRun pagesOf(const uint8_t *dst, int64_t length) {
  const uintptr_t page = pageSize();
  uintptr_t lo = (uintptr_t(dst) + page - 1) / page * page;
  uintptr_t hi = (uintptr_t(dst) + uintptr_t(length)) / page * page;
  return {lo, std::max(lo, hi)};
}

/// Mapping a run costs a system call and splits the arena's mapping, so
/// short runs are copied: below this many pages copying is as fast.
constexpr uintptr_t kMinPages = 4;
/// Each mapping adds up to two memory areas to the process, whose count
/// Linux caps (vm.max_map_count, 65530 by default); beyond this many runs
/// the rest are copied.
constexpr int64_t kMaxMappings = 16384;

/// Copies `length` bytes to fresh pages, populating them first.
void copyPopulated(uint8_t *dst, const uint8_t *src, int64_t length) {
  if (length <= 0)
    return;
  populatePages(dst, size_t(length));
  std::memcpy(dst, src, size_t(length));
}

bool writeAll(int fd, const uint8_t *p, size_t size, int64_t offset) {
  while (size > 0) {
    ssize_t n = ::pwrite(fd, p, size, off_t(offset));
    if (n < 0 && errno == EINTR)
      continue;
    if (n <= 0)
      return false;
    p += n;
    size -= size_t(n);
    offset += n;
  }
  return true;
}

} // namespace

void populatePages(void *p, size_t bytes) {
#ifdef MADV_POPULATE_WRITE
  // Partial pages at either end are left to fault in: other data may share
  // them, and one fault costs no more than the call.
  PageRun run = pagesOf(static_cast<const uint8_t *>(p), int64_t(bytes));
  if (run.hi > run.lo)
    ::madvise(reinterpret_cast<void *>(run.lo), run.hi - run.lo,
              MADV_POPULATE_WRITE);
#else
  (void)p;
  (void)bytes;
#endif
}

SramImages::SramImages(const bin::Executable &exe, uint8_t *arena,
                       int64_t stride)
    : exe_(exe), arena_(arena), stride_(stride) {
  fileOffset_.resize(exe.nodes.size());
  for (size_t i = 0; i < exe.nodes.size(); ++i)
    fileOffset_[i].assign(exe.nodes[i].sramInit.size(), -1);
}

SramImages::~SramImages() {
  // The mappings keep the file's pages alive; the descriptor is not needed.
  if (fd_ >= 0)
    ::close(fd_);
}

void SramImages::prepare() {
  try {
    share();
  } catch (const std::bad_alloc &) {
    // Out of memory for the bookkeeping: segments without an offset are
    // copied, and those with one had their run written.
  }
}

void SramImages::share() {
#ifdef MFD_CLOEXEC
  fd_ = ::memfd_create("dojo-sram-images", MFD_CLOEXEC);
#endif
  if (fd_ < 0)
    return; // everything is copied
  // Equal content landing at the same offset within a page (the same
  // weights at the same address of several nodes) is stored once. A run
  // that only one segment uses is copied instead: writing it to the file
  // costs what copying it costs, and mapping it would add a system call.
  using Key = std::tuple<uint32_t, int64_t, uintptr_t>;
  auto keyOf = [&](size_t i, size_t k, Key &key) {
    const bin::NodeCode &nc = exe_.nodes[i];
    const bin::Segment &s = nc.sramInit[k];
    uint8_t *dst = arena_ + int64_t(nc.node) * stride_ + s.addr;
    PageRun run = pagesOf(dst, s.length);
    if (run.hi - run.lo < kMinPages * pageSize())
      return false;
    key = {s.blob, s.offset + int64_t(run.lo - uintptr_t(dst)), run.hi - run.lo};
    return true;
  };
  std::map<Key, int64_t> uses;
  Key key;
  for (size_t i = 0; i < exe_.nodes.size(); ++i)
    for (size_t k = 0; k < exe_.nodes[i].sramInit.size(); ++k)
      if (keyOf(i, k, key))
        ++uses[key];
  // Now the file offset of each run written (-1: not written).
  for (auto &[run, offset] : uses) {
    if (offset < 2) {
      offset = -1;
      continue;
    }
    auto [blob, from, length] = run;
    if (!writeAll(fd_, exe_.blobs[blob].data + from, length, end_)) {
      offset = -1;
      continue;
    }
    offset = end_;
    end_ += int64_t(length);
  }
  for (size_t i = 0; i < exe_.nodes.size(); ++i)
    for (size_t k = 0; k < exe_.nodes[i].sramInit.size(); ++k)
      if (mapped_ < kMaxMappings && keyOf(i, k, key) && uses[key] >= 0) {
        fileOffset_[i][k] = uses[key];
        ++mapped_;
      }
}

void SramImages::fill(size_t index) const {
  const bin::NodeCode &nc = exe_.nodes[index];
  uint8_t *sram = arena_ + int64_t(nc.node) * stride_;
  for (size_t k = 0; k < nc.sramInit.size(); ++k) {
    const bin::Segment &s = nc.sramInit[k];
    uint8_t *dst = sram + s.addr;
    const uint8_t *src = exe_.bytesOf(s);
    int64_t offset = fileOffset_[index][k];
    if (offset < 0) {
      copyPopulated(dst, src, s.length);
      continue;
    }
    PageRun run = pagesOf(dst, s.length);
    int64_t head = int64_t(run.lo - uintptr_t(dst));
    int64_t mid = int64_t(run.hi - run.lo);
    std::memcpy(dst, src, size_t(head));
    std::memcpy(dst + head + mid, src + head + mid,
                size_t(s.length - head - mid));
    void *at = reinterpret_cast<void *>(run.lo);
    if (::mmap(at, size_t(mid), PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_FIXED,
               fd_, off_t(offset)) != MAP_FAILED)
      continue;
    // A failed MAP_FIXED may have unmapped the range: put fresh zero pages
    // back and copy.
    if (::mmap(at, size_t(mid), PROT_READ | PROT_WRITE,
               MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED, -1, 0) == MAP_FAILED)
      throw std::bad_alloc();
    copyPopulated(dst + head, src + head, mid);
  }
}

} // namespace dojo::sim::detail

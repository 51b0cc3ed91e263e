//===- SramImages.cpp - Placing the initial SRAM contents ------------------===//
#include "SramImages.h"

#include <cstring>
#include <sys/mman.h>
#include <unistd.h>

namespace dojo::sim::detail {

void populatePages(void *p, size_t bytes) {
#ifdef MADV_POPULATE_WRITE
  // Partial pages at either end are left to fault in: other data may share
  // them, and one fault costs no more than the call.
  static const uintptr_t page = uintptr_t(::sysconf(_SC_PAGESIZE));
  uintptr_t lo = (uintptr_t(p) + page - 1) / page * page;
  uintptr_t hi = (uintptr_t(p) + bytes) / page * page;
  if (hi > lo)
    ::madvise(reinterpret_cast<void *>(lo), hi - lo, MADV_POPULATE_WRITE);
#else
  (void)p;
  (void)bytes;
#endif
}

void placeSramImages(const bin::Executable &exe, size_t index, uint8_t *arena,
                     int64_t stride) {
  const bin::NodeCode &nc = exe.nodes[index];
  uint8_t *sram = arena + int64_t(nc.node) * stride;
  for (const bin::Segment &s : nc.sramInit) {
    if (s.length <= 0)
      continue;
    populatePages(sram + s.addr, size_t(s.length));
    std::memcpy(sram + s.addr, exe.bytesOf(s), size_t(s.length));
  }
}

} // namespace dojo::sim::detail

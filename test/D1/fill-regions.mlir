// RUN: dojo-opt %s | FileCheck %s
// A d1.fill may name strided regions of its buffer (offset, outer count and
// stride, inner count and stride, run bytes) instead of the whole buffer:
// the borders of a padded window, filled while the step's transfers land
// in its interior. Transfers into BF16 staging buffers carry d1.dst_type.
// CHECK-LABEL: d1.device
// CHECK: d1.fill %[[B:[0-9a-z_]+]] {regions = array<i64: 0, 1, 0, 1, 0, 64, 64, 2, 64, 1, 0, 8>}
// CHECK: d1.dma %{{.*}} -> %[[B]][64] shape [2, 4] src [16, 4] dst [64, 2] route [0, 1] {d1.dst_type = 16 : i64}
d1.device target("name=m,rows=1,cols=2") {
  %n0 = d1.node(0, 0)
  %n1 = d1.node(0, 1)
  %a = d1.buffer @a on %n0 size 64 live [0, 0]
  %b = d1.buffer @b on %n1 size 256 live [0, 0]
  d1.step 0 {
    d1.fill %b {regions = array<i64: 0, 1, 0, 1, 0, 64, 64, 2, 64, 1, 0, 8>}
    d1.dma %a[0] -> %b[64] shape [2, 4] src [16, 4] dst [64, 2] route [0, 1] {d1.dst_type = 16 : i64}
  }
}

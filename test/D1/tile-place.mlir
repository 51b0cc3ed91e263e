// RUN: dojo-opt %s -split-input-file -d1-tile="min-piece-work=1" | FileCheck %s
// RUN: dojo-opt %s -split-input-file -d1-tile="min-piece-work=1 place-near-data=false" | FileCheck %s --check-prefix=OFF
// d1-tile permutes each layer's pieces over its nodes so that every piece
// sits near the bytes it reads (d1.place, PiecePlacement.h). A layer that
// reads only function arguments has no known sources and keeps the
// placement order (no d1.place).

// On a 3x3 mesh the placement order is the generalized Hilbert curve
// 0, 1, 2, 5, 8, 7, 4, 3, 6 (not the snake 0, 1, 2, 5, 4, 3, 6, 7, 8). The
// relu's 3x3 blocks take it in block order; the add and the 1x1
// convolution, with the same blocks, follow their data block by block.
// CHECK-LABEL: func.func @follow_the_data
// CHECK: dnn.relu %{{.*}} {d1.split = array<i64: 1, 1, 3, 3>}
// CHECK: dnn.add {{.*}}d1.place = array<i64: 0, 1, 2, 5, 8, 7, 4, 3, 6>, d1.split = array<i64: 1, 1, 3, 3>
// CHECK: dnn.conv {{.*}}d1.place = array<i64: 0, 1, 2, 5, 8, 7, 4, 3, 6>, d1.split = array<i64: 1, 1, 3, 3>
// OFF-LABEL: func.func @follow_the_data
// OFF-NOT: d1.place
module attributes {d1.target = "name=mesh-3x3,rows=3,cols=3"} {
  func.func @follow_the_data(%x: tensor<1x8x24x24xf32>, %y: tensor<1x8x24x24xf32>) -> tensor<1x16x24x24xf32> {
    %a = dnn.relu %x : (tensor<1x8x24x24xf32>) -> tensor<1x8x24x24xf32>
    %b = dnn.add %a, %y : (tensor<1x8x24x24xf32>, tensor<1x8x24x24xf32>) -> tensor<1x8x24x24xf32>
    %w = arith.constant dense<0.5> : tensor<16x8x1x1xf32>
    %c = dnn.conv %b, %w {strides = array<i64: 1, 1>, pads = array<i64: 0, 0, 0, 0>, dilations = array<i64: 1, 1>, group = 1 : i64, act = "none"}
         : (tensor<1x8x24x24xf32>, tensor<16x8x1x1xf32>) -> tensor<1x16x24x24xf32>
    return %c : tensor<1x16x24x24xf32>
  }
}

// -----

// A layer of more pieces than nodes runs in rounds and keeps the order.
// CHECK-LABEL: func.func @rounds
// CHECK-NOT: d1.place
module attributes {d1.target = "name=mesh-2x2,rows=2,cols=2,sram_bytes=65536"} {
  func.func @rounds(%x: tensor<64x1024xf32>) -> tensor<64x1024xf32> {
    %a = dnn.relu %x : (tensor<64x1024xf32>) -> tensor<64x1024xf32>
    %b = dnn.relu %a : (tensor<64x1024xf32>) -> tensor<64x1024xf32>
    return %b : tensor<64x1024xf32>
  }
}

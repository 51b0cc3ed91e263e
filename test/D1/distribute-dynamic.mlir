// RUN: dojo-opt %s -split-input-file -d1-tile="min-piece-work=1" -d1-distribute | FileCheck %s
// Data movement with run-time offsets: each block stages what it may read
// plus the index tensors on its node, and a kernel reads the indices.

// A Gather with run-time indices: the block stages the whole gathered axis
// (5 rows of 4) and its indices, then runs "dyngather".
// CHECK-LABEL: d1.device target("name=m1,
// CHECK-DAG: %[[DATA:.*]] = d1.buffer @{{.*}}_data_0_0_{{[0-9]+}} on %{{.*}} size 80
// CHECK-DAG: %[[IDX:.*]] = d1.buffer @{{.*}}_idx_0_0_{{[0-9]+}} on %{{.*}} size 12
// CHECK-DAG: %[[OUT:.*]] = d1.buffer @{{.*}} on %{{.*}} size 48
// CHECK: d1.step 0 {
// CHECK-DAG: d1.hbm_load @input0[0] -> %[[DATA]][0] shape [20]
// CHECK-DAG: d1.hbm_load @input1[0] -> %[[IDX]][0] shape [3]
// CHECK: d1.kernel "dyngather"(%[[DATA]], %[[IDX]], %[[OUT]]) {params = {axis_dim = 5 : i64, count = 3 : i64, inner = 4 : i64, outer = 1 : i64}}
module attributes {d1.target = "name=m1,rows=1,cols=1"} {
  func.func @main(%x: tensor<5x4xf32>, %i: tensor<3xi64>) -> tensor<3x4xf32> {
    %y = dnn.gather %x, %i {axis = 0 : i64} : (tensor<5x4xf32>, tensor<3xi64>) -> tensor<3x4xf32>
    return %y : tensor<3x4xf32>
  }
}

// -----

// Gather along the last axis of a constant table split over a 2x2 mesh:
// each block stages its rows of the table (the table is baked into SRAM)
// and its part of the 2-D indices.
// CHECK-LABEL: d1.device target("name=m4,
// CHECK: d1.kernel "dyngather"({{.*}}) {params = {axis_dim = 6 : i64, count = {{[0-9]+}} : i64, inner = 1 : i64, outer = {{[0-9]+}} : i64}}
module attributes {d1.target = "name=m4,rows=2,cols=2"} {
  func.func @main(%i: tensor<2x3xi64>) -> tensor<8x2x3xf32> {
    %t = arith.constant dense<1.5> : tensor<8x6xf32>
    %y = dnn.gather %t, %i {axis = 1 : i64} : (tensor<8x6xf32>, tensor<2x3xi64>) -> tensor<8x2x3xf32>
    return %y : tensor<8x2x3xf32>
  }
}

// -----

// A dynamic slice with constant axes: only dimension 1 may be sliced, so
// the staged input holds all 10 of it but only the block's range of
// dimension 0; starts/ends/axes/steps are staged whole.
// CHECK-LABEL: d1.device target("name=m1,
// CHECK: d1.kernel "dynslice"(%{{.*}}, %{{.*}}, %{{.*}}, %{{.*}}, %{{.*}}, %{{.*}}) {params = {declared = array<i64: 4, 3>, dims = array<i64: 4, 10>, entries = 1 : i64, in_strides = array<i64: 40, 4>, lo = array<i64: 0, 0>, out = array<i64: 4, 3>, sliced = array<i64: 0, 1>}}
module attributes {d1.target = "name=m1,rows=1,cols=1"} {
  func.func @main(%x: tensor<4x10xf32>, %s: tensor<1xi64>, %e: tensor<1xi64>) -> tensor<4x3xf32> {
    %a = arith.constant dense<[-1]> : tensor<1xi64>
    %st = arith.constant dense<[2]> : tensor<1xi64>
    %y = dnn.dynamic_slice %x, %s, %e, %a, %st : (tensor<4x10xf32>, tensor<1xi64>, tensor<1xi64>, tensor<1xi64>, tensor<1xi64>) -> tensor<4x3xf32>
    return %y : tensor<4x3xf32>
  }
}

// -----

// Run-time axes: every dimension may be sliced.
// CHECK-LABEL: d1.device target("name=m1,
// CHECK: d1.kernel "dynslice"({{.*}}) {params = {declared = array<i64: 2, 2>, dims = array<i64: 4, 10>, entries = 2 : i64, in_strides = array<i64: 40, 4>, lo = array<i64: 0, 0>, out = array<i64: 2, 2>, sliced = array<i64: 1, 1>}}
module attributes {d1.target = "name=m1,rows=1,cols=1"} {
  func.func @main(%x: tensor<4x10xf32>, %s: tensor<2xi64>, %e: tensor<2xi64>, %a: tensor<2xi64>, %st: tensor<2xi64>) -> tensor<2x2xf32> {
    %y = dnn.dynamic_slice %x, %s, %e, %a, %st : (tensor<4x10xf32>, tensor<2xi64>, tensor<2xi64>, tensor<2xi64>, tensor<2xi64>) -> tensor<2x2xf32>
    return %y : tensor<2x2xf32>
  }
}

// -----

// A dynamic pad stages the whole input, the pads and the value.
// CHECK-LABEL: d1.device target("name=m1,
// CHECK: d1.kernel "dynpad"({{.*}}) {params = {declared = array<i64: 3, 7>, dims = array<i64: 2, 5>, in_strides = array<i64: 20, 4>, lo = array<i64: 0, 0>, mode = "constant", out = array<i64: 3, 7>}}
module attributes {d1.target = "name=m1,rows=1,cols=1"} {
  func.func @main(%x: tensor<2x5xf32>, %p: tensor<4xi64>, %v: tensor<f32>) -> tensor<3x7xf32> {
    %y = dnn.dynamic_pad %x, %p, %v : (tensor<2x5xf32>, tensor<4xi64>, tensor<f32>) -> tensor<3x7xf32>
    return %y : tensor<3x7xf32>
  }
}

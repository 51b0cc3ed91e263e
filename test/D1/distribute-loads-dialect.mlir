// Regression: d1-distribute creates d1 ops, so it must load the d1 dialect
// itself. With a plain dnn input (nothing of d1 parsed) it used to get a
// null DeviceOp and segfault; `dojo-opt -d1-compile` on any dnn module too.
// RUN: dojo-opt %s -d1-assign-target -d1-tile -d1-distribute | FileCheck %s
// RUN: dojo-opt %s -d1-compile | FileCheck %s --check-prefix=COMPILE

// CHECK: d1.device target("name=mesh-2x2,
// CHECK: d1.kernel "eltwise"
// COMPILE: d1.program

func.func @main(%x: tensor<1x16xf32>) -> tensor<1x16xf32> {
  %y = dnn.relu %x : (tensor<1x16xf32>) -> tensor<1x16xf32>
  return %y : tensor<1x16xf32>
}

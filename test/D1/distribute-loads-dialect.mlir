// XFAIL: *
// Bug: D1Distribute (include/dojo/Dialect/D1/Transforms/Passes.td) declares
// no `dependentDialects`, so when its input mentions nothing of the d1
// dialect (a plain dnn module, target attached by d1-assign-target in the
// same run) the dialect is never loaded. DeviceOp::create in
// Distributor::run (lib/Dialect/D1/Transforms/Distribute.cpp) then yields a
// null op (asserts in a debug build) and dojo-opt segfaults at
// `device.getBody()`. dojo-cc is unaffected only because it calls
// loadAllAvailableDialects(). The same crash hits `dojo-opt -d1-compile` on
// any dnn module. Fix: `let dependentDialects = ["::dojo::d1::D1Dialect"];`
// on D1Distribute (and, for robustness, the other d1 passes).
// Expected: a d1.device; actual: SIGSEGV, empty output.
// RUN: dojo-opt %s -d1-assign-target -d1-tile -d1-distribute | FileCheck %s
// RUN: dojo-opt %s -d1-compile | FileCheck %s --check-prefix=COMPILE

// CHECK: d1.device target("name=mesh-2x2,
// CHECK: d1.kernel "eltwise"
// COMPILE: d1.program

func.func @main(%x: tensor<1x16xf32>) -> tensor<1x16xf32> {
  %y = dnn.relu %x : (tensor<1x16xf32>) -> tensor<1x16xf32>
  return %y : tensor<1x16xf32>
}

//===- Passes.td - Transformations on the `dnn` dialect ----*- tablegen -*-===//
#ifndef DOJO_DNN_PASSES
#define DOJO_DNN_PASSES

include "mlir/Pass/PassBase.td"

def DNNFuseActivations
    : Pass<"dnn-fuse-activations", "::mlir::func::FuncOp"> {
  let summary = "Fold dnn.relu into the `act` attribute of its producer";
  let description = [{
    A `dnn.relu` whose operand is produced by a `dnn.conv`, `dnn.gemm` or
    `dnn.add` with `act = "none"` is removed and the producer gets
    `act = "relu"`, so the D1 kernels apply the activation while the result
    is still in registers instead of in a separate pass over memory.

    The fold only happens when the relu is the producer's single use: with
    another user, that user still needs the value before the activation.
    The fused op keeps the producer's location (its ONNX node name).

    Before:

    ```mlir
    %0 = dnn.conv %x, %w, %b {dilations = array<i64: 1, 1>, group = 1 : i64,
           pads = array<i64: 1, 1, 1, 1>, strides = array<i64: 1, 1>}
           : (tensor<1x3x8x8xf32>, tensor<4x3x3x3xf32>, tensor<4xf32>) -> tensor<1x4x8x8xf32>
    %1 = dnn.relu %0 : (tensor<1x4x8x8xf32>) -> tensor<1x4x8x8xf32>
    ```

    After:

    ```mlir
    %0 = dnn.conv %x, %w, %b {act = "relu", dilations = array<i64: 1, 1>,
           group = 1 : i64, pads = array<i64: 1, 1, 1, 1>, strides = array<i64: 1, 1>}
           : (tensor<1x3x8x8xf32>, tensor<4x3x3x3xf32>, tensor<4xf32>) -> tensor<1x4x8x8xf32>
    ```
  }];
  let dependentDialects = ["::dojo::dnn::DNNDialect"];
}

#endif // DOJO_DNN_PASSES

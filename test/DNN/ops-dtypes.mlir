// RUN: dojo-opt %s | dojo-opt | FileCheck %s
// Every ONNX numeric type is a legal dnn element type: unsigned integers
// keep their signedness, pow takes an exponent of another type, unary, pad
// and pool preserve any numeric type, cast converts between all of them.

// CHECK-LABEL: func.func @dtypes
func.func @dtypes(%a: tensor<2x3xui8>, %b: tensor<3xui8>, %x: tensor<3xf32>,
                  %e: tensor<3xi32>, %s: tensor<1x1x4x4xi8>,
                  %h: tensor<3xf16>, %d: tensor<3xf64>, %u: tensor<3xui64>)
    -> (tensor<2x3xui8>, tensor<3xf32>, tensor<1x1x3x3xi8>, tensor<1x1x6x6xi8>,
        tensor<3xbf16>, tensor<3xf16>, tensor<3xi1>, tensor<3xui64>) {
  // CHECK: dnn.binary "sub" %{{.*}}, %{{.*}} : (tensor<2x3xui8>, tensor<3xui8>) -> tensor<2x3xui8>
  %0 = dnn.binary "sub" %a, %b : (tensor<2x3xui8>, tensor<3xui8>) -> tensor<2x3xui8>
  // CHECK: dnn.binary "pow" %{{.*}}, %{{.*}} : (tensor<3xf32>, tensor<3xi32>) -> tensor<3xf32>
  %1 = dnn.binary "pow" %x, %e : (tensor<3xf32>, tensor<3xi32>) -> tensor<3xf32>
  // CHECK: dnn.pool "max"{{.*}}(tensor<1x1x4x4xi8>) -> tensor<1x1x3x3xi8>
  %2 = dnn.pool "max" %s {kernel = array<i64: 2, 2>, strides = array<i64: 1, 1>, dilations = array<i64: 1, 1>, pads = array<i64: 0, 0, 0, 0>, count_include_pad = false} : (tensor<1x1x4x4xi8>) -> tensor<1x1x3x3xi8>
  // CHECK: dnn.unary "clip" %{{.*}} : (tensor<1x1x4x4xi8>) -> tensor<1x1x4x4xi8>
  %3 = dnn.unary "clip" %s {alpha = -3.0 : f32, beta = 3.0 : f32} : (tensor<1x1x4x4xi8>) -> tensor<1x1x4x4xi8>
  // CHECK: dnn.pad{{.*}}"edge"{{.*}}(tensor<1x1x4x4xi8>) -> tensor<1x1x6x6xi8>
  %4 = dnn.pad %3 {pads = array<i64: 0, 0, 1, 1, 0, 0, 1, 1>, mode = "edge"} : (tensor<1x1x4x4xi8>) -> tensor<1x1x6x6xi8>
  // CHECK: dnn.cast %{{.*}} : (tensor<3xf16>) -> tensor<3xbf16>
  %5 = dnn.cast %h : (tensor<3xf16>) -> tensor<3xbf16>
  // CHECK: dnn.cast %{{.*}} : (tensor<3xf64>) -> tensor<3xf16>
  %6 = dnn.cast %d : (tensor<3xf64>) -> tensor<3xf16>
  // CHECK: dnn.binary "less" %{{.*}}, %{{.*}} : (tensor<3xf64>, tensor<3xf64>) -> tensor<3xi1>
  %7 = dnn.binary "less" %d, %d : (tensor<3xf64>, tensor<3xf64>) -> tensor<3xi1>
  // CHECK: dnn.binary "max" %{{.*}}, %{{.*}} : (tensor<3xui64>, tensor<3xui64>) -> tensor<3xui64>
  %8 = dnn.binary "max" %u, %u : (tensor<3xui64>, tensor<3xui64>) -> tensor<3xui64>
  return %0, %1, %2, %4, %5, %6, %7, %8 : tensor<2x3xui8>, tensor<3xf32>, tensor<1x1x3x3xi8>, tensor<1x1x6x6xi8>, tensor<3xbf16>, tensor<3xf16>, tensor<3xi1>, tensor<3xui64>
}

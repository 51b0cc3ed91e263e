// RUN: dojo-opt %s -d1-tile="min-piece-work=1" -d1-distribute | FileCheck %s
// Element types on the mesh (decision 20): HBM tensors carry the ONNX type
// code for the DMA conversion, and elementwise kernels get the integer
// semantics of their result type: 8/16-bit wrap-around (wrap_bits,
// wrap_signed), truncating integer division (idiv), rounding to FLOAT16 /
// BFLOAT16 for casts to those types. 32-bit results are not wrapped, float
// pow with an integer exponent is plain pow, and a cast whose source values
// all fit the target (ui8 -> i64) emits no kernel.

// CHECK: d1.hbm_tensor @input0 "input"[0] "input0" shape [8] at 0 {dtype = 2 : i64}
// CHECK: d1.hbm_tensor @input1 "input"[1] "input1" shape [8] at 64 {dtype = 5 : i64}
// CHECK: d1.hbm_tensor @output3 "output"[3] "output3" shape [8] at {{[0-9]+}} {dtype = 10 : i64}
// CHECK: d1.hbm_tensor @output4 "output"[4] "output4" shape [8] at {{[0-9]+}} {dtype = 16 : i64}
// CHECK: d1.hbm_tensor @output7 "output"[7] "output7" shape [8] at {{[0-9]+}} {dtype = 7 : i64}
// CHECK: d1.kernel "eltwise"({{.*}}) {params = {{{.*}}op = "sub", wrap_bits = 8 : i64, wrap_signed = false}}
// CHECK: d1.kernel "eltwise"({{.*}}) {params = {{{.*}}op = "mul", wrap_bits = 16 : i64, wrap_signed = true}}
// CHECK: d1.kernel "eltwise"({{.*}}) {params = {{{.*}}op = "idiv"}}
// CHECK: d1.kernel "eltwise"({{.*}}) {params = {{{.*}}op = "round_f16"}}
// CHECK: d1.kernel "eltwise"({{.*}}) {params = {{{.*}}op = "round_bf16"}}
// CHECK: d1.kernel "eltwise"({{.*}}) {params = {{{.*}}op = "identity", wrap_bits = 8 : i64, wrap_signed = true}}
// CHECK: d1.kernel "eltwise"({{.*}}) {params = {{{.*}}op = "pow"}}
// CHECK-NOT: d1.kernel "eltwise"
module attributes {d1.target = "name=t,rows=1,cols=1,sram_bytes=262144"} {
  func.func @main(%a: tensor<8xui8>, %b: tensor<8xi16>, %x: tensor<8xf32>, %e: tensor<8xi32>, %i: tensor<8xi32>)
      -> (tensor<8xui8>, tensor<8xi16>, tensor<8xi32>, tensor<8xf16>, tensor<8xbf16>, tensor<8xi8>, tensor<8xf32>, tensor<8xi64>) {
    %0 = dnn.binary "sub" %a, %a : (tensor<8xui8>, tensor<8xui8>) -> tensor<8xui8>
    %1 = dnn.binary "mul" %b, %b : (tensor<8xi16>, tensor<8xi16>) -> tensor<8xi16>
    %2 = dnn.binary "div" %i, %e : (tensor<8xi32>, tensor<8xi32>) -> tensor<8xi32>
    %3 = dnn.cast %x : (tensor<8xf32>) -> tensor<8xf16>
    %4 = dnn.cast %x : (tensor<8xf32>) -> tensor<8xbf16>
    %5 = dnn.cast %i : (tensor<8xi32>) -> tensor<8xi8>
    %6 = dnn.binary "pow" %x, %e : (tensor<8xf32>, tensor<8xi32>) -> tensor<8xf32>
    %7 = dnn.cast %a : (tensor<8xui8>) -> tensor<8xi64>
    return %0, %1, %2, %3, %4, %5, %6, %7 : tensor<8xui8>, tensor<8xi16>, tensor<8xi32>, tensor<8xf16>, tensor<8xbf16>, tensor<8xi8>, tensor<8xf32>, tensor<8xi64>
  }
}

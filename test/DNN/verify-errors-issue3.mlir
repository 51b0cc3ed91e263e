// RUN: dojo-opt %s --split-input-file --verify-diagnostics

func.func @unary_fn(%x: tensor<2xf32>) -> tensor<2xf32> {
  // expected-error @+1 {{unknown unary function "cosh"}}
  %y = dnn.unary "cosh" %x : (tensor<2xf32>) -> tensor<2xf32>
  return %y : tensor<2xf32>
}

// -----

func.func @unary_bool(%x: tensor<2xi1>) -> tensor<2xi1> {
  // expected-error @+1 {{needs numeric tensors, got 'i1'}}
  %y = dnn.unary "abs" %x : (tensor<2xi1>) -> tensor<2xi1>
  return %y : tensor<2xi1>
}

// -----

func.func @unary_type_change(%x: tensor<2xi8>) -> tensor<2xf32> {
  // expected-error @+1 {{operand #0 has element type 'i8' but the result has 'f32'}}
  %y = dnn.unary "abs" %x : (tensor<2xi8>) -> tensor<2xf32>
  return %y : tensor<2xf32>
}

// -----

func.func @binary_cmp_type(%x: tensor<2xf32>) -> tensor<2xf32> {
  // expected-error @+1 {{result element type must be 'i1' for "equal"}}
  %y = dnn.binary "equal" %x, %x : (tensor<2xf32>, tensor<2xf32>) -> tensor<2xf32>
  return %y : tensor<2xf32>
}

// -----

func.func @binary_bcast(%x: tensor<2x3xf32>, %y: tensor<4xf32>) -> tensor<2x3xf32> {
  // expected-error @+1 {{operand shapes 2x3 and 4 do not broadcast}}
  %z = dnn.binary "add" %x, %y : (tensor<2x3xf32>, tensor<4xf32>) -> tensor<2x3xf32>
  return %z : tensor<2x3xf32>
}

// -----

func.func @binary_mixed(%x: tensor<2xf32>, %y: tensor<2xi64>) -> tensor<2xf32> {
  // expected-error @+1 {{operands must have the same element type}}
  %z = dnn.binary "mul" %x, %y : (tensor<2xf32>, tensor<2xi64>) -> tensor<2xf32>
  return %z : tensor<2xf32>
}

// -----

func.func @where_cond(%c: tensor<2xf32>, %x: tensor<2xf32>) -> tensor<2xf32> {
  // expected-error @+1 {{condition must be an i1 tensor}}
  %z = dnn.where %c, %x, %x : (tensor<2xf32>, tensor<2xf32>, tensor<2xf32>) -> tensor<2xf32>
  return %z : tensor<2xf32>
}

// -----

func.func @cast_signed(%x: tensor<2xf32>) -> tensor<2xsi8> {
  // expected-error @+1 {{result #0 must have an ONNX element type (f16, bf16, f32, f64, i1, i8..i64, ui8..ui64), got 'tensor<2xsi8>'}}
  %z = dnn.cast %x : (tensor<2xf32>) -> tensor<2xsi8>
  return %z : tensor<2xsi8>
}

// -----

func.func @cast_i4(%x: tensor<2xi4>) -> tensor<2xf32> {
  // expected-error @+1 {{operand #0 must have an ONNX element type}}
  %z = dnn.cast %x : (tensor<2xi4>) -> tensor<2xf32>
  return %z : tensor<2xf32>
}

// -----

func.func @binary_mixed(%x: tensor<2xf32>, %y: tensor<2xi32>) -> tensor<2xf32> {
  // expected-error @+1 {{operands must have the same element type, got 'f32' and 'i32'}}
  %z = dnn.binary "add" %x, %y : (tensor<2xf32>, tensor<2xi32>) -> tensor<2xf32>
  return %z : tensor<2xf32>
}

// -----

func.func @pow_bool_exponent(%x: tensor<2xf32>, %y: tensor<2xi1>) -> tensor<2xf32> {
  // expected-error @+1 {{operands must be numeric tensors, not i1}}
  %z = dnn.binary "pow" %x, %y : (tensor<2xf32>, tensor<2xi1>) -> tensor<2xf32>
  return %z : tensor<2xf32>
}

// -----

func.func @pool_shape(%x: tensor<1x1x7x7xf32>) -> tensor<1x1x5x5xf32> {
  // expected-error @+1 {{spatial dimension 0 of the result is 5 but must be 3 (floor) or 4 (ceil_mode)}}
  %y = dnn.pool "max" %x {kernel = array<i64: 3, 3>, strides = array<i64: 2, 2>, pads = array<i64: 0, 0, 1, 1>, dilations = array<i64: 1, 1>, count_include_pad = false} : (tensor<1x1x7x7xf32>) -> tensor<1x1x5x5xf32>
  return %y : tensor<1x1x5x5xf32>
}

// -----

func.func @pool_kind(%x: tensor<1x1x4x4xf32>) -> tensor<1x1x2x2xf32> {
  // expected-error @+1 {{kind must be "max" or "avg"}}
  %y = dnn.pool "min" %x {kernel = array<i64: 2, 2>, strides = array<i64: 2, 2>, pads = array<i64: 0, 0, 0, 0>, dilations = array<i64: 1, 1>, count_include_pad = false} : (tensor<1x1x4x4xf32>) -> tensor<1x1x2x2xf32>
  return %y : tensor<1x1x2x2xf32>
}

// -----

func.func @reduce_axes(%x: tensor<2x3xf32>) -> tensor<2xf32> {
  // expected-error @+1 {{axes must be sorted and unique}}
  %y = dnn.reduce "sum" %x {axes = array<i64: 1, 1>, keepdims = false} : (tensor<2x3xf32>) -> tensor<2xf32>
  return %y : tensor<2xf32>
}

// -----

func.func @reduce_neg_axis(%x: tensor<2x3xf32>) -> tensor<2xf32> {
  // expected-error @+1 {{axis -1 is out of range for rank 2}}
  %y = dnn.reduce "sum" %x {axes = array<i64: -1>, keepdims = false} : (tensor<2x3xf32>) -> tensor<2xf32>
  return %y : tensor<2xf32>
}

// -----

func.func @softmax_axis(%x: tensor<2x3xf32>) -> tensor<2x3xf32> {
  // expected-error @+1 {{axis -1 must be in [0, rank) with rank 2}}
  %y = dnn.softmax %x {axis = -1 : i64, log = false} : (tensor<2x3xf32>) -> tensor<2x3xf32>
  return %y : tensor<2x3xf32>
}

// -----

func.func @layer_norm_scale(%x: tensor<2x3xf32>, %s: tensor<2x3xf32>) -> tensor<2x3xf32> {
  // expected-error @+1 {{scale shape 2x3 must equal the normalized shape 3}}
  %y = dnn.layer_norm %x, %s {axis = 1 : i64, epsilon = 1.0e-5 : f32} : (tensor<2x3xf32>, tensor<2x3xf32>) -> tensor<2x3xf32>
  return %y : tensor<2x3xf32>
}

// -----

func.func @conv_transpose_extra(%x: tensor<1x2x3x3xf32>, %w: tensor<2x3x3x3xf32>) -> tensor<1x3x9x9xf32> {
  // expected-error @+1 {{spatial dimension 0 of the result is 9 but must be 7 plus an output padding below 2}}
  %y = dnn.conv_transpose %x, %w {strides = array<i64: 2, 2>, pads = array<i64: 0, 0, 0, 0>, dilations = array<i64: 1, 1>, group = 1 : i64} : (tensor<1x2x3x3xf32>, tensor<2x3x3x3xf32>) -> tensor<1x3x9x9xf32>
  return %y : tensor<1x3x9x9xf32>
}

// -----

func.func @transpose_perm(%x: tensor<2x3xf32>) -> tensor<3x2xf32> {
  // expected-error @+1 {{perm must be a permutation of [0, 2)}}
  %y = dnn.transpose %x {perm = array<i64: 1, 1>} : (tensor<2x3xf32>) -> tensor<3x2xf32>
  return %y : tensor<3x2xf32>
}

// -----

func.func @concat_dims(%x: tensor<2x3xf32>, %y: tensor<3x3xf32>) -> tensor<5x3xf32> {
  // expected-error @+1 {{differs from 2x3 outside the concatenation axis 1}}
  %z = dnn.concat %x, %y {axis = 1 : i64} : (tensor<2x3xf32>, tensor<3x3xf32>) -> tensor<5x3xf32>
  return %z : tensor<5x3xf32>
}

// -----

func.func @slice_oob(%x: tensor<4xf32>) -> tensor<3xf32> {
  // expected-error @+1 {{dimension 0 reads indices 2 to 4 (step 1) outside [0, 4)}}
  %y = dnn.slice %x {starts = array<i64: 2>, steps = array<i64: 1>} : (tensor<4xf32>) -> tensor<3xf32>
  return %y : tensor<3xf32>
}

// -----

func.func @pad_negative(%x: tensor<4xf32>) -> tensor<3xf32> {
  // expected-error @+1 {{pads must be non-negative}}
  %y = dnn.pad %x {pads = array<i64: -1, 0>, mode = "constant"} : (tensor<4xf32>) -> tensor<3xf32>
  return %y : tensor<3xf32>
}

// -----

func.func @pad_reflect(%x: tensor<2xf32>) -> tensor<5xf32> {
  // expected-error @+1 {{reflect pads of dimension 0 must be smaller than its size 2}}
  %y = dnn.pad %x {pads = array<i64: 3, 0>, mode = "reflect"} : (tensor<2xf32>) -> tensor<5xf32>
  return %y : tensor<5xf32>
}

// -----

func.func @broadcast_bad(%x: tensor<3xf32>) -> tensor<2x4xf32> {
  // expected-error @+1 {{input shape 3 does not broadcast to the result shape 2x4}}
  %y = dnn.broadcast %x : (tensor<3xf32>) -> tensor<2x4xf32>
  return %y : tensor<2x4xf32>
}

// -----

func.func @gather_float_indices(%x: tensor<4xf32>, %i: tensor<2xf32>) -> tensor<2xf32> {
  // expected-error @+1 {{indices must be i32 or i64}}
  %y = dnn.gather %x, %i {axis = 0 : i64} : (tensor<4xf32>, tensor<2xf32>) -> tensor<2xf32>
  return %y : tensor<2xf32>
}

// -----

func.func @resize_size(%x: tensor<1x4xf32>) -> tensor<1x9xf32> {
  // expected-error @+1 {{dimension 1 of the result is 9 but floor(4 * 2.000000e+00) is 8}}
  %y = dnn.resize "nearest" %x {coordinate_transformation_mode = "asymmetric", nearest_mode = "floor", scales = array<f32: 1.0, 2.0>} : (tensor<1x4xf32>) -> tensor<1x9xf32>
  return %y : tensor<1x9xf32>
}

// -----

func.func @resize_bicubic(%x: tensor<1x4xf32>) -> tensor<1x8xf32> {
  // expected-error @+1 {{mode must be nearest, linear or cubic, got "bicubic"}}
  %y = dnn.resize "bicubic" %x {coordinate_transformation_mode = "asymmetric", nearest_mode = "floor", scales = array<f32: 1.0, 2.0>} : (tensor<1x4xf32>) -> tensor<1x8xf32>
  return %y : tensor<1x8xf32>
}

// RUN: dojo-opt %s -split-input-file -d1-tile="min-piece-work=1" -d1-distribute -verify-diagnostics
// Interpolation the mesh lowering cannot do: the lerp kernel blends whole
// channel vectors with one weight per spatial position, so the batch and
// channel dimensions must be plain copies.

module attributes {d1.target = "name=m,rows=1,cols=1"} {
  func.func @main(%x: tensor<1x2x2x2xf32>) -> tensor<1x4x2x2xf32> {
    // expected-error @+1 {{cubic Resize is supported only over spatial dimensions of an N x C x ... tensor}}
    %y = dnn.resize "cubic" %x {coordinate_transformation_mode = "half_pixel", nearest_mode = "round_prefer_floor", scales = array<f32: 1.0, 2.0, 1.0, 1.0>} : (tensor<1x2x2x2xf32>) -> tensor<1x4x2x2xf32>
    return %y : tensor<1x4x2x2xf32>
  }
}

// -----

module attributes {d1.target = "name=m,rows=1,cols=1"} {
  func.func @main(%x: tensor<4x4xf32>) -> tensor<8x8xf32> {
    // expected-error @+1 {{linear Resize is supported only over spatial dimensions of an N x C x ... tensor}}
    %y = dnn.resize "linear" %x {coordinate_transformation_mode = "half_pixel", nearest_mode = "round_prefer_floor", scales = array<f32: 2.0, 2.0>} : (tensor<4x4xf32>) -> tensor<8x8xf32>
    return %y : tensor<8x8xf32>
  }
}

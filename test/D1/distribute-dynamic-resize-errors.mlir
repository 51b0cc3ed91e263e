// RUN: dojo-opt %s -split-input-file -d1-tile="min-piece-work=1" -d1-distribute -verify-diagnostics
// Run-time Resize the mesh lowering cannot do: the dynresize kernel blends
// whole channel vectors of an N x C x ... tensor.

module attributes {d1.target = "name=m,rows=1,cols=1"} {
  func.func @main(%x: tensor<1x2x2x2xf32>, %s: tensor<4xf32>, %r: tensor<8xf32>) -> tensor<1x4x2x2xf32> {
    // expected-error @+1 {{run-time scales or roi can resize only spatial dimensions (2 and up)}}
    %y = dnn.dynamic_resize "linear" %x, %s, %r {axes = array<i64: 0, 1, 2, 3>, coordinate_transformation_mode = "half_pixel", nearest_mode = "round_prefer_floor"} : (tensor<1x2x2x2xf32>, tensor<4xf32>, tensor<8xf32>) -> tensor<1x4x2x2xf32>
    return %y : tensor<1x4x2x2xf32>
  }
}

// -----

module attributes {d1.target = "name=m,rows=1,cols=1"} {
  func.func @main(%x: tensor<4x4xf32>, %s: tensor<2xf32>, %r: tensor<4xf32>) -> tensor<8x8xf32> {
    // expected-error @+1 {{a Resize with run-time scales or roi needs an N x C x ... input of rank 3 to 6}}
    %y = dnn.dynamic_resize "linear" %x, %s, %r {axes = array<i64: 0, 1>, coordinate_transformation_mode = "half_pixel", nearest_mode = "round_prefer_floor"} : (tensor<4x4xf32>, tensor<2xf32>, tensor<4xf32>) -> tensor<8x8xf32>
    return %y : tensor<8x8xf32>
  }
}

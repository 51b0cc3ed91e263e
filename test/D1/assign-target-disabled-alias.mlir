// Regression: a disabled coordinate whose column is outside the mesh used
// to alias another node (`disabled=0:2` on a 2x2 mesh became id 2, node
// (1, 0)); shrinking `cols` under the d1 target's disabled list did the
// same. Both must be rejected, naming the coordinate.
// RUN: not dojo-opt %s -d1-assign-target="target=mesh-2x2 target-opts=disabled=0:2" 2>&1 | FileCheck %s --check-prefix=COL
// RUN: not dojo-opt %s -d1-assign-target="target=d1 target-opts=cols=10" 2>&1 | FileCheck %s --check-prefix=SHRINK
// The last column is still accepted and keeps its coordinate.
// RUN: dojo-opt %s -d1-assign-target="target=mesh-2x2 target-opts=disabled=0:1" | FileCheck %s --check-prefix=OK
// OK: d1.target = "name=mesh-2x2,rows=2,cols=2,disabled=0:1,
// COL: error: target field 'disabled': disabled node 0:2 is outside the 2x2 mesh
// SHRINK: error: target field 'disabled': disabled node 5:16 is outside the 18x10 mesh

module {
  func.func @main(%x: tensor<1x16xf32>) -> tensor<1x16xf32> {
    %y = dnn.relu %x : (tensor<1x16xf32>) -> tensor<1x16xf32>
    return %y : tensor<1x16xf32>
  }
}

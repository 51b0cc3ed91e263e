// XFAIL: *
// Bug: a disabled coordinate whose column is outside the mesh is not
// rejected; it aliases another node. TargetModel's `disabled` setter stores
// `row * 65536 + col` and finalizeDisabled (lib/Target/TargetModel.cpp)
// converts it with `row * cols + col` without checking `col < cols`, so on a
// 2x2 mesh `disabled=0:2` becomes id 2, i.e. node (1, 0), and validate()
// (which only range-checks the id) accepts it. The same happens when `cols`
// is overridden on a target that already has disabled nodes (d1 with
// cols=10 keeps (5, 16) as id 5*10+16 = (6, 6)). Expected: an error such as
// "disabled node 0:2 is outside the 2x2 mesh".
// RUN: not dojo-opt %s -d1-assign-target="target=mesh-2x2 target-opts=disabled=0:2" 2>&1 | FileCheck %s
// RUN: not dojo-opt %s -d1-assign-target="target=d1 target-opts=cols=10" 2>&1 | FileCheck %s
// CHECK: error: {{.*}}outside the

module {
  func.func @main(%x: tensor<1x16xf32>) -> tensor<1x16xf32> {
    %y = dnn.relu %x : (tensor<1x16xf32>) -> tensor<1x16xf32>
    return %y : tensor<1x16xf32>
  }
}

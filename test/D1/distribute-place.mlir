// RUN: dojo-opt %s -split-input-file -d1-distribute | FileCheck %s
// d1-distribute puts piece i of a layer on node d1.place[i] when d1-tile
// chose a placement.

// Four row blocks on the nodes 2, 3, 1, 0 (ids on a 2x2 mesh: (1,0),
// (1,1), (0,1), (0,0)).
// CHECK-LABEL: d1.device
// CHECK-DAG: %[[N00:.*]] = d1.node(0, 0)
// CHECK-DAG: %[[N01:.*]] = d1.node(0, 1)
// CHECK-DAG: %[[N10:.*]] = d1.node(1, 0)
// CHECK-DAG: %[[N11:.*]] = d1.node(1, 1)
// CHECK: %[[O0:.*]] = d1.buffer @{{.*}} on %[[N10]]
// CHECK: %[[I0:.*]] = d1.buffer @{{.*}} on %[[N10]]
// CHECK: d1.buffer @{{.*}} on %[[N11]]
// CHECK: d1.buffer @{{.*}} on %[[N11]]
// CHECK: d1.buffer @{{.*}} on %[[N01]]
// CHECK: d1.buffer @{{.*}} on %[[N01]]
// CHECK: %[[O3:.*]] = d1.buffer @{{.*}} on %[[N00]]
// CHECK: %[[I3:.*]] = d1.buffer @{{.*}} on %[[N00]]
// Row 0 (bytes 0..191 of the input) on node (1,0), row 3 on node (0,0).
// CHECK: d1.hbm_load @input0[0] -> %[[I0]][0]
// CHECK-NEXT: d1.kernel "eltwise"(%[[I0]], %[[O0]])
// CHECK: d1.hbm_load @input0[576] -> %[[I3]][0]
// CHECK-NEXT: d1.kernel "eltwise"(%[[I3]], %[[O3]])
module attributes {d1.target = "name=m,rows=2,cols=2"} {
  func.func @main(%x: tensor<4x48xf32>) -> tensor<4x48xf32> {
    %y = dnn.relu %x {d1.split = array<i64: 4, 1>, d1.place = array<i64: 2, 3, 1, 0>} : (tensor<4x48xf32>) -> tensor<4x48xf32>
    return %y : tensor<4x48xf32>
  }
}

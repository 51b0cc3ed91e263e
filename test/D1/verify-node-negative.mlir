// RUN: dojo-opt %s -split-input-file -verify-diagnostics
// XFAIL: *
// Bug: NodeOp::verify (lib/Dialect/D1/IR/D1Dialect.cpp) streams getRow() and
// getCol() -- I64Attr getters that return uint64_t -- so a negative
// coordinate is reported as "node (0, 18446744073709551615) is outside the
// 2x2 mesh" instead of "node (0, -1) ...". The node is rejected (correctly);
// only the message is wrong. Casting to int64_t, as BufferOp::verify does,
// fixes it.

d1.device target("name=m,rows=2,cols=2") {
  // expected-error @+1 {{'d1.node' op node (0, -1) is outside the 2x2 mesh}}
  %n = d1.node(0, -1)
}

// -----

d1.device target("name=m,rows=2,cols=2") {
  // expected-error @+1 {{'d1.node' op node (-3, 1) is outside the 2x2 mesh}}
  %n = d1.node(-3, 1)
}

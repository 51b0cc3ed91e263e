// RUN: dojo-opt %s -split-input-file -verify-diagnostics
// Regression: negative node coordinates are reported as the signed values
// written, not as their uint64_t reinterpretation (18446744073709551615).

d1.device target("name=m,rows=2,cols=2") {
  // expected-error @+1 {{'d1.node' op node (0, -1) is outside the 2x2 mesh}}
  %n = d1.node(0, -1)
}

// -----

d1.device target("name=m,rows=2,cols=2") {
  // expected-error @+1 {{'d1.node' op node (-3, 1) is outside the 2x2 mesh}}
  %n = d1.node(-3, 1)
}

#!/usr/bin/python3
"""Stands in for dojo-cc or dojo-sim (by the name it is run under) in classify.test.

It misbehaves in a different way for each ONNX test, chosen by the test
directory's name, so the harness's classification of every outcome can be
checked without depending on what the real compiler supports today.
"""
import os
import signal
import sys
import time


def fake_cc(argv):
    model, binary = argv[0], argv[argv.index("-o") + 1]
    test = os.path.basename(os.path.dirname(model))
    if test == "test_abs":
        os.kill(os.getpid(), signal.SIGSEGV)
    if test == "test_relu":
        sys.exit("LLVM ERROR: fake fatal error\nStack dump:\n0. Program arguments: dojo-cc")
    if test == "test_add":
        time.sleep(60)
    if test == "test_neg":
        sys.exit(f"{model}:Neg_0: error: unsupported ONNX op 'Neg' in node 'Neg_0'")
    if test == "test_sigmoid":
        sys.exit(f"{model}:Sigmoid_0: error: op cannot be mapped to the D1 mesh")
    if test == "test_exp":
        return 0  # claims success but writes nothing
    if test not in ("test_tanh", "test_log", "test_sqrt", "test_reciprocal", "test_erf"):
        sys.exit(f"fake dojo-cc: not expected to be run on {test}")
    with open(binary, "w") as f:
        f.write(test)
    return 0


def fake_sim(argv):
    with open(argv[0]) as f:
        test = f.read()
    if test == "test_tanh":
        print("output y: max_abs_err=1 max_rel_err=1 (rtol 0.001, atol 1e-07) MISMATCH")
        return 1
    if test == "test_log":
        sys.exit("dojo-sim: error: node (0, 0): fake bad instruction")
    if test == "test_sqrt":
        os.kill(os.getpid(), signal.SIGABRT)
    if test == "test_erf":
        # The harness must pass the ONNX backend-test default tolerances.
        tol = argv[argv.index("--rtol") + 1], argv[argv.index("--atol") + 1]
        if tol != ("0.001", "1e-07"):
            sys.exit(f"dojo-sim: error: unexpected tolerances {tol}")
    print("output y: max_abs_err=0 max_rel_err=0 (rtol 0.001, atol 1e-07) OK")
    return 0


if __name__ == "__main__":
    tool = os.path.basename(sys.argv[0])
    sys.exit(fake_cc(sys.argv[1:]) if tool == "dojo-cc" else fake_sim(sys.argv[1:]))

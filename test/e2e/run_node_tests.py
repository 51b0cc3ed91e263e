#!/usr/bin/env python3
"""Compiles ONNX backend node tests with dojo-cc and checks them on dojo-sim.

For every selected test directory and every target, runs
    dojo-cc model.onnx -o X.d1 --target=T
    dojo-sim X.d1 --inputs test_data_set_0 --expected test_data_set_0
and classifies the result as pass, wrong result, compile error, sim error or
timeout. Prints one line per (test, target) and a closing summary
"N passed, M failed (K skipped)"; exits 1 if anything failed.

Default selection: the single-op node tests of Conv, Relu, Add, Gemm, MatMul
and GlobalAveragePool in libonnx-testdata (excluding *_expanded variants and
tests with non-float inputs, each with its reason printed), plus every
test_Conv3d* in pytorch-converted. Extra directories can be given as
arguments. Needs only the Python standard library.
"""

import argparse
import concurrent.futures
import os
import re
import subprocess
import sys
import tempfile
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import onnx_lite  # noqa: E402

DATA_ROOT = "/usr/share/libonnx-testdata/data"
DEFAULT_OPS = ("Conv", "Relu", "Add", "Gemm", "MatMul", "GlobalAveragePool")
DEFAULT_TARGETS = "mesh-1x1,mesh-4x4,d1"
SUPPORTED_DTYPES = {1}  # FLOAT


def skip_reason(test_dir):
    """Returns why a test cannot run on dojo-cc, or None if it can."""
    data = os.path.join(test_dir, "test_data_set_0")
    if not os.path.isfile(os.path.join(test_dir, "model.onnx")):
        return "no model.onnx"
    if not os.path.isdir(data):
        return "no test_data_set_0"
    for name in sorted(os.listdir(data)):
        if not name.endswith(".pb"):
            continue
        try:
            dtype = onnx_lite.read_tensor(os.path.join(data, name))["dtype"]
        except (OSError, onnx_lite.DecodeError) as e:
            return f"{name} is not a readable TensorProto ({e})"
        if dtype not in SUPPORTED_DTYPES:
            return f"{name} has dtype {onnx_lite.DTYPE_NAMES.get(dtype, dtype)} (only FLOAT is supported)"
    return None


def default_tests():
    """Returns (tests to run, [(test, reason)] skipped)."""
    tests, skipped = [], []
    node_root = os.path.join(DATA_ROOT, "node")
    if os.path.isdir(node_root):
        for name in sorted(os.listdir(node_root)):
            path = os.path.join(node_root, name)
            try:
                ops = onnx_lite.model_info(os.path.join(path, "model.onnx"))["ops"]
            except (OSError, onnx_lite.DecodeError):
                continue
            if not ops or any(op not in DEFAULT_OPS for op in ops):
                continue
            if name.endswith("_expanded"):
                skipped.append((path, "expanded function body (covered by the plain test)"))
                continue
            tests.append(path)
    torch_root = os.path.join(DATA_ROOT, "pytorch-converted")
    if os.path.isdir(torch_root):
        tests += [os.path.join(torch_root, n) for n in sorted(os.listdir(torch_root))
                  if n.startswith("test_Conv3d")]
    return tests, skipped


def first_line(text):
    for line in text.splitlines():
        if line.strip():
            return line.strip()
    return "(no message)"


def run_one(args, test_dir, target):
    """Compiles and simulates one test on one target; returns (status, detail, seconds)."""
    data = os.path.join(test_dir, "test_data_set_0")
    start = time.monotonic()
    with tempfile.TemporaryDirectory(prefix="dojo-node-") as tmp:
        binary = os.path.join(tmp, "model.d1")
        out_dir = os.path.join(tmp, "out")
        cc = [os.path.join(args.bin, "dojo-cc"), os.path.join(test_dir, "model.onnx"),
              "-o", binary, f"--target={target}"]
        sim = [os.path.join(args.bin, "dojo-sim"), binary, "--inputs", data,
               "--expected", data, "--outputs", out_dir,
               "--rtol", str(args.rtol), "--atol", str(args.atol)]
        for step, cmd in (("compile error", cc), ("sim error", sim)):
            try:
                proc = subprocess.run(cmd, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                                      text=True, timeout=args.timeout)
            except subprocess.TimeoutExpired:
                return "timeout", f"{os.path.basename(cmd[0])} ran over {args.timeout}s", \
                    time.monotonic() - start
            if proc.returncode != 0:
                detail = first_line(proc.stderr or proc.stdout)
                # The simulator writes outputs before it compares them: if they
                # exist, the program ran to completion and computed wrong values.
                ran = os.path.isdir(out_dir) and any(
                    f.startswith("output_") for f in os.listdir(out_dir))
                if step == "sim error" and (ran or "mismatch" in proc.stderr.lower()):
                    return "wrong result", detail, time.monotonic() - start
                return step, detail, time.monotonic() - start
    return "pass", "", time.monotonic() - start


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("tests", nargs="*", help="extra ONNX test directories")
    parser.add_argument("--bin", default="build/bin", help="directory with dojo-cc and dojo-sim")
    parser.add_argument("--targets", default=DEFAULT_TARGETS)
    parser.add_argument("--filter", default=None, help="regex on the test name")
    parser.add_argument("-j", "--jobs", type=int, default=2)
    parser.add_argument("--rtol", type=float, default=1e-3)
    parser.add_argument("--atol", type=float, default=1e-4)
    parser.add_argument("--timeout", type=int, default=300, help="seconds per command")
    parser.add_argument("--no-defaults", action="store_true",
                        help="run only the directories given as arguments")
    args = parser.parse_args()

    for tool in ("dojo-cc", "dojo-sim"):
        if not os.access(os.path.join(args.bin, tool), os.X_OK):
            sys.exit(f"run_node_tests: {os.path.join(args.bin, tool)} not found (use --bin)")
    targets = [t for t in args.targets.split(",") if t]

    tests, skipped = ([], []) if args.no_defaults else default_tests()
    tests += [os.path.abspath(t) for t in args.tests]
    if args.filter:
        pattern = re.compile(args.filter)
        tests = [t for t in tests if pattern.search(os.path.basename(t))]
        skipped = [s for s in skipped if pattern.search(os.path.basename(s[0]))]
    runnable = []
    for test in tests:
        reason = skip_reason(test)
        if reason:
            skipped.append((test, reason))
        else:
            runnable.append(test)
    for test, reason in skipped:
        print(f"SKIP  {os.path.basename(test)}: {reason}")
    if not runnable:
        sys.exit("run_node_tests: no test selected")

    jobs = [(t, target) for t in runnable for target in targets]
    passed = failed = 0
    with concurrent.futures.ThreadPoolExecutor(max_workers=max(1, args.jobs)) as pool:
        futures = {pool.submit(run_one, args, t, target): (t, target) for t, target in jobs}
        results = {}
        for fut in concurrent.futures.as_completed(futures):
            results[futures[fut]] = fut.result()
    # Report in a stable order regardless of completion order.
    for key in jobs:
        status, detail, seconds = results[key]
        name = f"{os.path.basename(key[0])} [{key[1]}]"
        if status == "pass":
            passed += 1
            print(f"PASS  {name} ({seconds:.1f}s)")
        else:
            failed += 1
            print(f"FAIL  {name}: {status}: {detail}")
    print(f"{passed} passed, {failed} failed ({len(skipped)} skipped)")
    sys.exit(1 if failed else 0)


if __name__ == "__main__":
    main()

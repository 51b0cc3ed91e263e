#!/usr/bin/env python3
"""Compares the output_*.pb FLOAT tensors of two ONNX test-data directories.

    compare_tensors.py ACTUAL_DIR EXPECTED_DIR [--atol A] [--rtol R]

Prints the largest absolute difference per output and exits 1 if a shape
differs or any element exceeds atol + rtol * |expected|. Standard library
only, so it runs under any interpreter.
"""

import argparse
import os
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import onnx_lite  # noqa: E402


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("actual")
    parser.add_argument("expected")
    parser.add_argument("--atol", type=float, default=1e-5)
    parser.add_argument("--rtol", type=float, default=1e-4)
    args = parser.parse_args()
    names = sorted(f for f in os.listdir(args.expected)
                   if f.startswith("output_") and f.endswith(".pb"))
    if not names:
        sys.exit(f"compare_tensors: {args.expected} has no output_*.pb")
    ok = True
    for name in names:
        exp = onnx_lite.read_tensor(os.path.join(args.expected, name))
        path = os.path.join(args.actual, name)
        if not os.path.exists(path):
            print(f"{name}: missing in {args.actual}")
            ok = False
            continue
        act = onnx_lite.read_tensor(path)
        if act["floats"] is None or exp["floats"] is None:
            print(f"{name}: only FLOAT tensors are compared")
            ok = False
            continue
        if act["dims"] != exp["dims"]:
            print(f"{name}: shape {act['dims']} != expected {exp['dims']}")
            ok = False
            continue
        worst = 0.0
        bad = 0
        for a, e in zip(act["floats"], exp["floats"]):
            diff = abs(a - e)
            worst = max(worst, diff)
            if not diff <= args.atol + args.rtol * abs(e):
                bad += 1
        print(f"{name}: shape {exp['dims']}, max abs diff {worst:.3g}, "
              f"{bad} element(s) out of tolerance")
        ok = ok and bad == 0
    sys.exit(0 if ok else 1)


if __name__ == "__main__":
    main()

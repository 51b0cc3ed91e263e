#!/usr/bin/env python3
"""Compiles the bundled video model and checks it on the simulator.

    run_default_model.py [--bin build/bin] [--target d1] [--model M --data DIR]

Compiles models/tiny_r3d.onnx with dojo-cc, runs dojo-sim on its committed
input with the committed onnxruntime reference as --expected, using
rtol 0 and atol = 1e-4 * max|reference|, and prints the simulator's
statistics. Exits non-zero if compilation, simulation or the comparison
fails. Needs only the Python standard library.
"""

import argparse
import json
import os
import subprocess
import sys
import tempfile
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import onnx_lite  # noqa: E402

SRC = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))


def run(cmd):
    print("$ " + " ".join(cmd), flush=True)
    start = time.monotonic()
    proc = subprocess.run(cmd)
    print(f"  ({time.monotonic() - start:.2f}s, exit {proc.returncode})", flush=True)
    return proc.returncode


def print_stats(stats):
    rows = [
        ("cycles", stats.get("cycles")),
        ("time at clock", f"{stats.get('seconds', 0) * 1e3:.4f} ms"),
        ("instructions", stats.get("instructions")),
        ("MACs", stats.get("macs")),
        ("peak SRAM per node", f"{stats.get('sram_peak_bytes')} bytes"),
        ("NoC bytes", stats.get("noc_bytes")),
        ("busiest link bytes", stats.get("noc_max_link_bytes")),
        ("HBM bytes", stats.get("hbm_bytes")),
        ("DMA transfers", stats.get("dma_transfers")),
        ("nodes used", len(stats.get("nodes", []))),
    ]
    print("simulator statistics:")
    for key, value in rows:
        print(f"  {key:<20} {value}")
    cycles, macs = stats.get("cycles") or 0, stats.get("macs") or 0
    if cycles:
        print(f"  {'MACs per cycle':<20} {macs / cycles:.1f}")


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--bin", default=os.path.join(SRC, "build", "bin"))
    parser.add_argument("--target", default="d1")
    parser.add_argument("--dtype", default="f32")
    parser.add_argument("--model", default=os.path.join(SRC, "models", "tiny_r3d.onnx"))
    parser.add_argument("--data", default=None,
                        help="test-data dir (default: <model dir>/<model name>/test_data_set_0)")
    parser.add_argument("--rel-tol", type=float, default=1e-4,
                        help="atol as a fraction of max|reference| (default 1e-4)")
    args = parser.parse_args()
    data = args.data or os.path.join(
        os.path.dirname(args.model), os.path.splitext(os.path.basename(args.model))[0],
        "test_data_set_0")

    ref_max = 0.0
    outputs = sorted(f for f in os.listdir(data) if f.startswith("output_"))
    if not outputs:
        sys.exit(f"run_default_model: {data} has no output_*.pb reference")
    for name in outputs:
        floats = onnx_lite.read_tensor(os.path.join(data, name))["floats"]
        if not floats:
            sys.exit(f"run_default_model: {name} is not a non-empty FLOAT tensor")
        ref_max = max(ref_max, max(abs(v) for v in floats))
    atol = args.rel_tol * ref_max
    print(f"reference: {data} (max |ref| = {ref_max:.6g}; atol = {atol:.3g}, rtol = 0)")

    with tempfile.TemporaryDirectory(prefix="dojo-default-") as tmp:
        binary = os.path.join(tmp, "model.d1")
        stats_path = os.path.join(tmp, "stats.json")
        rc = run([os.path.join(args.bin, "dojo-cc"), args.model, "-o", binary,
                  f"--target={args.target}", f"--dtype={args.dtype}"])
        if rc != 0:
            sys.exit("run_default_model: compilation failed")
        print(f"  binary: {os.path.getsize(binary)} bytes")
        rc = run([os.path.join(args.bin, "dojo-sim"), binary, "--inputs", data,
                  "--expected", data, "--rtol", "0", "--atol", repr(atol),
                  "--stats", stats_path])
        if os.path.exists(stats_path):
            with open(stats_path) as f:
                print_stats(json.load(f))
        if rc != 0:
            sys.exit("run_default_model: simulation failed or did not match the reference")
    print("run_default_model: output matches the reference")


if __name__ == "__main__":
    main()

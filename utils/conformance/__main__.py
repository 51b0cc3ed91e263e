"""ONNX conformance harness for dojo-cc and dojo-sim.

Compiles every official ONNX node test of Debian's libonnx-testdata for each
target with dojo-cc, runs every data set on dojo-sim against the reference
outputs and classifies each (test, target) as pass, wrong result, compile
error, unsupported, sim error, timeout, crash or skipped. Prints one line per
(test, target), a list of crashes with the commands that reproduce them, the
in-scope pass rate per target and the summary line
"N passed, M failed (K unsupported, S skipped)".

Exit status: 1 if any tool crashed or timed out, the harness itself failed
on a test, or an in-scope pass rate is below --min-pass-rate; 0 otherwise
(wrong results and compile errors are reported, not fatal: this is a
conformance report, not a gate). Usage errors exit 2.

    /usr/bin/python3 utils/conformance [--fast] [--targets mesh-2x2,d1]
        [--suites node,...] [--filter REGEX] [--jobs N] [--write-docs]
        [--json OUT] [--bin DIR] [--min-pass-rate PCT]
"""

import argparse
import concurrent.futures
import datetime
import os
import re
import shlex
import subprocess
import sys
import time

import inventory
import report
import runner

REPO = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
DEFAULT_TARGETS = "mesh-2x2,d1"

# --fast runs every in-scope test on FAST_TARGET and this fixed sample on
# FAST_SAMPLE_TARGET: one or two tests per kind of lowering (elementwise,
# matrix unit, convolution, pooling, reduction, data movement), so the full
# chip's placement and routing are exercised without paying for all of it.
FAST_TARGET = "mesh-2x2"
FAST_SAMPLE_TARGET = "d1"
FAST_SAMPLE = (
    "test_relu", "test_add_bcast", "test_sigmoid", "test_gemm_default_no_bias",
    "test_matmul_2d", "test_conv_with_strides_padding", "test_Conv3d",
    "test_maxpool_2d_default", "test_globalaveragepool", "test_reduce_mean_default_axes_keepdims_example",
    "test_softmax_axis_1", "test_transpose_default", "test_concat_2d_axis_0",
    "test_batchnorm_example",
)


def parse_args(argv):
    parser = argparse.ArgumentParser(
        prog="conformance", description=__doc__,
        formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--bin", default=os.path.join(REPO, "build", "bin"),
                        help="directory with dojo-cc and dojo-sim (default: build/bin)")
    parser.add_argument("--targets", default=DEFAULT_TARGETS,
                        help=f"comma-separated targets (default: {DEFAULT_TARGETS})")
    parser.add_argument("--suites", default=",".join(inventory.SUITES),
                        help="comma-separated suites under --data-root")
    parser.add_argument("--data-root", default=inventory.DATA_ROOT)
    parser.add_argument("--filter", default=None, help="regex searched in the test name and in SUITE/NAME")
    parser.add_argument("--in-scope", action="store_true",
                        help="run only tests whose ops are all in the issue's list")
    parser.add_argument("-j", "--jobs", type=int, default=2, help="parallel jobs (default 2)")
    parser.add_argument("--fast", action="store_true",
                        help=f"CI subset: in-scope tests on {FAST_TARGET}, a fixed sample "
                             f"on {FAST_SAMPLE_TARGET}; ignores --targets")
    parser.add_argument("--compile-timeout", type=float, default=60, help="seconds (default 60)")
    parser.add_argument("--sim-timeout", type=float, default=120,
                        help="seconds per data set (default 120)")
    parser.add_argument("--write-docs", nargs="?", const=os.path.join(REPO, "docs", "conformance.md"),
                        default=None, metavar="PATH",
                        help="write the per-op table (default path docs/conformance.md)")
    parser.add_argument("--json", default=None, metavar="OUT", help="write results as JSON")
    parser.add_argument("--min-pass-rate", type=float, default=None, metavar="PCT",
                        help="exit 1 if an in-scope pass rate (percent) is below PCT")
    args = parser.parse_args(argv)
    if args.jobs < 1:
        parser.error("--jobs must be at least 1")
    if args.min_pass_rate is not None and not 0 <= args.min_pass_rate <= 100:
        parser.error("--min-pass-rate must be a percentage between 0 and 100")
    if args.filter is not None:
        try:
            args.filter = re.compile(args.filter)
        except re.error as e:
            parser.error(f"--filter: invalid regex: {e}")
    args.targets = [t for t in args.targets.split(",") if t]
    args.suites = [s for s in args.suites.split(",") if s]
    if not args.targets or not args.suites:
        parser.error("--targets and --suites need at least one entry")
    return args


def plan(args, tests):
    """Returns (targets, [(test, target)]) in report order."""
    if args.filter is not None:
        tests = [t for t in tests if args.filter.search(t.name)
                 or args.filter.search(f"{t.suite}/{t.name}")]
    if args.in_scope or args.fast:
        tests = [t for t in tests if t.in_scope]
    if args.fast:
        jobs = []
        for t in tests:
            jobs.append((t, FAST_TARGET))
            if t.name in FAST_SAMPLE:
                jobs.append((t, FAST_SAMPLE_TARGET))
        return [FAST_TARGET, FAST_SAMPLE_TARGET], jobs
    return args.targets, [(t, target) for t in tests for target in args.targets]


def run_all(args, jobs, duplicated):
    """Runs the jobs in a process pool, printing results in plan order as they complete."""
    results = [None] * len(jobs)
    next_to_print = 0
    with concurrent.futures.ProcessPoolExecutor(max_workers=args.jobs) as pool:
        futures = {pool.submit(runner.run, args.bin, test, target,
                               args.compile_timeout, args.sim_timeout): i
                   for i, (test, target) in enumerate(jobs)}
        for fut in concurrent.futures.as_completed(futures):
            i = futures[fut]
            try:
                results[i] = fut.result()
            except Exception as e:  # noqa: BLE001 -- e.g. a worker killed by the OOM killer
                test, target = jobs[i]
                results[i] = runner.Result(test, target, runner.HARNESS_ERROR,
                                           f"worker failed: {type(e).__name__}: {e}")
            while next_to_print < len(results) and results[next_to_print] is not None:
                print(report.result_line(results[next_to_print], duplicated), flush=True)
                next_to_print += 1
    return results


def revision():
    try:
        out = subprocess.run(["git", "-C", REPO, "rev-parse", "--short", "HEAD"],
                             stdout=subprocess.PIPE, stderr=subprocess.DEVNULL,
                             text=True, timeout=10)
        return out.stdout.strip() or "unknown"
    except (OSError, subprocess.SubprocessError):
        return "unknown"


def main(argv):
    args = parse_args(argv)
    for tool in ("dojo-cc", "dojo-sim"):
        path = os.path.join(args.bin, tool)
        if not os.access(path, os.X_OK):
            print(f"conformance: error: {path} not found or not executable (use --bin)",
                  file=sys.stderr)
            return 2
    args.bin = os.path.abspath(args.bin)
    try:
        tests = inventory.discover(args.suites, args.data_root)
    except OSError as e:
        print(f"conformance: error: {e}", file=sys.stderr)
        return 2
    targets, jobs = plan(args, tests)
    if not jobs:
        print("conformance: error: no test selected", file=sys.stderr)
        return 2
    names = [t.name for t in tests]
    duplicated = {n for n in names if names.count(n) > 1}

    start = time.monotonic()
    results = run_all(args, jobs, duplicated)
    seconds = time.monotonic() - start
    summary = report.Summary(results, targets)
    report.print_summary(summary, sys.stdout)
    print(f"ran {len(jobs)} (test, target) pairs in {seconds:.1f}s with {args.jobs} jobs")

    command = "/usr/bin/python3 utils/conformance " + " ".join(shlex.quote(a) for a in argv)
    date = datetime.date.today().isoformat()
    try:
        if args.json:
            report.write_json(args.json, summary, command.strip(), date, seconds)
        if args.write_docs:
            report.write_docs(args.write_docs, summary, command.strip(), date, revision(),
                              seconds)
            print(f"wrote {args.write_docs}")
    except OSError as e:
        print(f"conformance: error: cannot write results: {e}", file=sys.stderr)
        return 2

    status = 0
    if summary.fatal:
        print(f"conformance: {len(summary.fatal)} crash/timeout/harness error result(s)",
              file=sys.stderr)
        status = 1
    if args.min_pass_rate is not None:
        for target, (passed, total) in summary.in_scope_rates().items():
            pct = 100.0 * passed / total if total else 0.0
            if pct < args.min_pass_rate:
                print(f"conformance: in-scope pass rate on {target} is {pct:.1f}%, "
                      f"below --min-pass-rate {args.min_pass_rate:g}%", file=sys.stderr)
                status = 1
    return status


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))

"""Compiles one conformance test for one target and checks it on dojo-sim.

run() never raises: every outcome, including a failure of the harness itself,
comes back as a Result with one of the STATUSES below, so one bad test cannot
stop a run of a thousand.
"""

import os
import re
import shlex
import signal
import subprocess
import tempfile
import time
import traceback

PASS = "pass"
WRONG = "wrong result"
COMPILE_ERROR = "compile error"
UNSUPPORTED = "unsupported"
SIM_ERROR = "sim error"
TIMEOUT = "timeout"
CRASH = "crash"
HARNESS_ERROR = "harness error"
SKIPPED = "skipped"

# Statuses that count as "failed" in the summary line; unsupported and
# skipped are counted separately.
FAILED_STATUSES = (WRONG, COMPILE_ERROR, SIM_ERROR, TIMEOUT, CRASH, HARNESS_ERROR)
# Statuses a CI run must never see, whatever the pass count.
FATAL_STATUSES = (CRASH, TIMEOUT, HARNESS_ERROR)

# Text a tool prints when it dies of a bug rather than reporting bad input:
# LLVM's fatal-error and crash handlers, failed assertions, C++ terminate
# handlers and sanitizer reports.
_CRASH_MARKERS = ("LLVM ERROR", "Stack dump", "PLEASE submit a bug report",
                  "Assertion `", "UNREACHABLE executed", "terminate called",
                  "Segmentation fault", "AddressSanitizer", "runtime error:")

# Compiler diagnostics that mean "this feature is not implemented" rather
# than "this model is broken or cannot be placed".
_UNSUPPORTED_RE = re.compile(r"unsupported|not supported|only .* (?:is|are) supported",
                             re.IGNORECASE)


class Result:
    def __init__(self, test, target, status, detail="", seconds=0.0, repro=None):
        self.test = test          # inventory.TestInfo
        self.target = target
        self.status = status
        self.detail = detail      # one line
        self.seconds = seconds
        self.repro = repro or []  # shell commands reproducing the outcome

    def to_json(self):
        d = self.test.to_json()
        d.update({"target": self.target, "status": self.status, "detail": self.detail,
                  "seconds": round(self.seconds, 3), "repro": self.repro})
        return d


# "<location>: error: " in front of a diagnostic; the location is the model
# path (already stripped) plus a node name that the message repeats anyway.
_ERROR_PREFIX_RE = re.compile(r"^(?:\S*: )?error: ")


def _first_line(text, strip=""):
    """Returns the first non-empty line of text without `strip` and the error prefix."""
    for line in text.splitlines():
        line = line.strip()
        if line:
            if strip and line.startswith(strip):
                line = line[len(strip):].lstrip(": ")
            return _ERROR_PREFIX_RE.sub("", line) or line
    return "(no message)"


def _crash_reason(proc):
    """Returns why a finished process counts as crashed, or None."""
    if proc.returncode < 0:
        try:
            name = signal.Signals(-proc.returncode).name
        except ValueError:
            name = f"signal {-proc.returncode}"
        return f"killed by {name}"
    text = (proc.stderr or "") + (proc.stdout or "")
    for marker in _CRASH_MARKERS:
        for line in text.splitlines():
            if marker in line:
                return line.strip()
    return None


def _run(cmd, timeout, cwd):
    """Runs cmd; returns the CompletedProcess, or None when it ran over timeout."""
    try:
        return subprocess.run(cmd, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                              stdin=subprocess.DEVNULL, text=True, errors="replace",
                              timeout=timeout, cwd=cwd)
    except subprocess.TimeoutExpired:
        return None


def _quote(cmd):
    return " ".join(shlex.quote(c) for c in cmd)


def run(bin_dir, test, target, compile_timeout, sim_timeout):
    """Compiles and simulates `test` (inventory.TestInfo) on `target`; returns a Result."""
    start = time.monotonic()
    try:
        return _run_checked(bin_dir, test, target, compile_timeout, sim_timeout, start)
    except Exception:  # noqa: BLE001 -- the harness must report, not die
        detail = traceback.format_exc().strip().splitlines()[-1]
        return Result(test, target, HARNESS_ERROR, detail, time.monotonic() - start)


def _run_checked(bin_dir, test, target, compile_timeout, sim_timeout, start):
    if test.skip:
        return Result(test, target, SKIPPED, test.skip)
    if test.unsupported:
        return Result(test, target, UNSUPPORTED, test.unsupported)
    model = os.path.join(test.path, "model.onnx")
    # The repro commands name a fixed file in /tmp so they can be pasted
    # as they are; the run itself uses a private temporary directory.
    shown_binary = f"/tmp/{test.name}.{target}.d1"

    def cc_cmd(binary):
        return [os.path.join(bin_dir, "dojo-cc"), model, "-o", binary, f"--target={target}"]

    def sim_cmd(binary, data):
        return [os.path.join(bin_dir, "dojo-sim"), binary, "--inputs", data,
                "--expected", data, "--rtol", repr(test.rtol), "--atol", repr(test.atol)]

    def elapsed():
        return time.monotonic() - start

    with tempfile.TemporaryDirectory(prefix="dojo-conformance-") as tmp:
        binary = os.path.join(tmp, "model.d1")
        repro = [_quote(cc_cmd(shown_binary))]
        proc = _run(cc_cmd(binary), compile_timeout, tmp)
        if proc is None:
            return Result(test, target, TIMEOUT,
                          f"dojo-cc ran over {compile_timeout:g}s", elapsed(), repro)
        crash = _crash_reason(proc)
        if crash:
            return Result(test, target, CRASH, f"dojo-cc: {crash}", elapsed(), repro)
        if proc.returncode != 0:
            errors = [line for line in proc.stderr.splitlines() if "error" in line]
            unsupported = [line for line in errors if _UNSUPPORTED_RE.search(line)]
            if unsupported:
                return Result(test, target, UNSUPPORTED,
                              _first_line(unsupported[0], model), elapsed(), repro)
            return Result(test, target, COMPILE_ERROR,
                          _first_line(proc.stderr or proc.stdout, model), elapsed(), repro)
        if not os.path.isfile(binary):
            return Result(test, target, COMPILE_ERROR,
                          "dojo-cc exited 0 but wrote no binary", elapsed(), repro)

        for data in test.data_sets:
            where = "" if len(test.data_sets) == 1 else f"{os.path.basename(data)}: "
            cmd = sim_cmd(binary, data)
            sim_repro = repro + [_quote(sim_cmd(shown_binary, data))]
            proc = _run(cmd, sim_timeout, tmp)
            if proc is None:
                return Result(test, target, TIMEOUT,
                              f"{where}dojo-sim ran over {sim_timeout:g}s", elapsed(), sim_repro)
            crash = _crash_reason(proc)
            if crash:
                return Result(test, target, CRASH, f"{where}dojo-sim: {crash}",
                              elapsed(), sim_repro)
            if proc.returncode == 0:
                continue
            mismatches = [line.strip() for line in proc.stdout.splitlines()
                          if line.rstrip().endswith("MISMATCH")]
            if mismatches:
                more = f" (+{len(mismatches) - 1} more outputs)" if len(mismatches) > 1 else ""
                return Result(test, target, WRONG, where + mismatches[0] + more,
                              elapsed(), sim_repro)
            return Result(test, target, SIM_ERROR,
                          where + _first_line(proc.stderr or proc.stdout, "dojo-sim"),
                          elapsed(), sim_repro)
    return Result(test, target, PASS, "", elapsed())

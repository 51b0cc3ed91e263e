"""Runs one benchmark row: compile, simulate, run onnxruntime, compare.

Every figure in a row comes from this one invocation; nothing is cached
between runs, so the table can be regenerated and trusted as a whole.
"""

import json
import math
import os
import statistics
import subprocess
import time

import numpy as np
import onnx
from onnx import numpy_helper

import bench_model
import meshviz

# A compile or a simulation that takes longer than this is reported as a
# failure of its row instead of hanging the benchmark.
TIMEOUT_S = 1800


class StepError(Exception):
    """A step of a row failed; the message is what the table prints."""


def run_measured(cmd, log_path, timeout=TIMEOUT_S):
    """Runs CMD and returns (wall seconds, peak RSS bytes).

    os.wait4 gives the rusage of exactly this child, so the peak RSS is that
    process's own and not the maximum over every child the benchmark started
    (which is what RUSAGE_CHILDREN would report).
    """
    with open(log_path, "wb") as log:
        t0 = time.monotonic()
        try:
            proc = subprocess.Popen(cmd, stdout=log, stderr=subprocess.STDOUT)
        except OSError as e:
            raise StepError(f"{os.path.basename(cmd[0])}: {e.strerror}")
        deadline = t0 + timeout
        try:
            while True:
                pid, status, usage = os.wait4(proc.pid, os.WNOHANG)
                if pid:
                    break
                if time.monotonic() > deadline:
                    raise StepError(f"{os.path.basename(cmd[0])}: timed out after {timeout} s")
                time.sleep(0.01)
        except BaseException:
            # A timeout, Ctrl-C or SIGTERM must not leave the child running.
            proc.kill()
            os.wait4(proc.pid, 0)
            proc.returncode = -9
            raise
        wall = time.monotonic() - t0
        # Popen must not try to reap the child again.
        proc.returncode = os.waitstatus_to_exitcode(status)
    if proc.returncode != 0:
        raise StepError(f"{os.path.basename(cmd[0])}: {last_error_line(log_path)}")
    return wall, usage.ru_maxrss * 1024


def last_error_line(log_path):
    """The most telling line of a failed tool's output, for the table."""
    try:
        with open(log_path, errors="replace") as f:
            lines = [l.strip() for l in f if l.strip()]
    except OSError:
        return "failed (no output)"
    for line in lines:
        if "error" in line.lower():
            return line[:160]
    return lines[-1][:160] if lines else "failed (no output)"


def sim_supports_threads(bin_dir):
    """dojo-sim gets `--threads 2` like onnxruntime only if it has the option."""
    try:
        out = subprocess.run([os.path.join(bin_dir, "dojo-sim"), "--help"],
                             capture_output=True, text=True, timeout=30)
    except (OSError, subprocess.TimeoutExpired):
        return False
    return "--threads" in out.stdout + out.stderr


def load_outputs(directory):
    """Output tensors output_0.pb, output_1.pb, ... of DIR as numpy arrays."""
    outs = []
    while True:
        path = os.path.join(directory, f"output_{len(outs)}.pb")
        if not os.path.exists(path):
            break
        t = onnx.TensorProto()
        with open(path, "rb") as f:
            t.ParseFromString(f.read())
        outs.append(numpy_helper.to_array(t).astype(np.float64))
    if not outs:
        raise StepError(f"no output_0.pb in {directory}")
    return outs


def compare(ref, got):
    """Error metrics of GOT against REF (lists of arrays), worst over outputs."""
    if len(ref) != len(got):
        raise StepError(f"{len(got)} outputs, reference has {len(ref)}")
    max_abs_rel, rel_l2 = 0.0, 0.0
    for r, g in zip(ref, got):
        if r.shape != g.shape:
            raise StepError(f"output shape {g.shape}, reference {r.shape}")
        if not np.all(np.isfinite(g)):
            # max() would silently drop a NaN; a non-finite output fails.
            return math.inf, math.inf, False
        scale = float(np.max(np.abs(r))) or 1.0
        max_abs_rel = max(max_abs_rel, float(np.max(np.abs(g - r))) / scale)
        norm = float(np.linalg.norm(r)) or 1.0
        rel_l2 = max(rel_l2, float(np.linalg.norm(g - r)) / norm)
    # Top-1 of the first output (the logits), row by row over the batch.
    r0, g0 = ref[0], got[0]
    top1 = bool(np.array_equal(np.argmax(r0.reshape(-1, r0.shape[-1]), axis=-1),
                               np.argmax(g0.reshape(-1, g0.shape[-1]), axis=-1)))
    return max_abs_rel, rel_l2, top1


def make_clips(model, count, seed, work):
    """COUNT random clips (standard normal, like the bundled data sets) in the
    test-data layout; the seed makes them the same on every run."""
    rng = np.random.default_rng(seed)
    dirs = []
    for i in range(count):
        d = os.path.join(work, f"clip_{i}")
        os.makedirs(d, exist_ok=True)
        for k, (name, shape, dtype) in enumerate(bench_model.input_specs(model)):
            x = rng.standard_normal(shape).astype(dtype)
            with open(os.path.join(d, f"input_{k}.pb"), "wb") as f:
                f.write(numpy_helper.from_array(x, name).SerializeToString())
        dirs.append(d)
    return dirs


def run_ort(model_path, threads, pairs, work):
    """Runs onnxruntime once over (in_dir, out_dir) PAIRS; returns its timing."""
    script = os.path.join(os.path.dirname(os.path.abspath(__file__)), "ort_time.js")
    cmd = ["node", script, model_path, "--threads", str(threads)]
    for a, b in pairs:
        cmd += [a, b]
    log = os.path.join(work, "ort.log")
    wall, _ = run_measured(cmd, log)
    with open(log) as f:
        lines = [l for l in f if l.startswith("{")]
    if not lines:
        raise StepError("ort_time.js printed no timing")
    timing = json.loads(lines[-1])
    timing["process_s"] = wall
    return timing


def roofline(spec, dtype, macs, hbm_bytes):
    """Lower bound on cycles: the MAC bound over every enabled node's matrix
    unit and the HBM bound for the bytes that must cross HBM at least once."""
    peak = int(spec["mac_bf16" if dtype == "bf16" else "mac_f32"]) * spec_enabled(spec)
    mac_cycles = macs / peak
    hbm_cycles = hbm_bytes / int(spec["hbm_bytes_per_cycle"])
    if mac_cycles >= hbm_cycles:
        return mac_cycles, "mac"
    return hbm_cycles, "hbm"


def spec_enabled(spec):
    return spec["rows"] * spec["cols"] - len(spec["disabled"])


def bench_row(cfg, name, model_path, data_dir, dtype, work):
    """Measures one (model, dtype) row; returns a dict, with 'error' set if a
    step failed (the figures measured before the failure are kept)."""
    row = {"model": name, "dtype": dtype, "target": cfg.target}
    try:
        _bench_row(cfg, row, model_path, data_dir, dtype, work)
    except StepError as e:
        row["error"] = str(e)
    except Exception as e:  # The benchmark reports, it never crashes.
        row["error"] = f"{type(e).__name__}: {e}"
    return row


def _bench_row(cfg, row, model_path, data_dir, dtype, work):
    os.makedirs(work, exist_ok=True)
    if not os.path.exists(model_path):
        raise StepError(f"{model_path} not found (run utils/export_video_models.py)")
    if not os.path.exists(os.path.join(data_dir, "input_0.pb")):
        raise StepError(f"{data_dir}/input_0.pb not found")
    model = onnx.load(model_path)
    cc = os.path.join(cfg.bin_dir, "dojo-cc")
    sim = os.path.join(cfg.bin_dir, "dojo-sim")
    binary = os.path.join(work, "model.d1")

    row["cc_s"], row["cc_rss_bytes"] = run_measured(
        [cc, model_path, "-o", binary, f"--target={cfg.target}", f"--dtype={dtype}"],
        os.path.join(work, "cc.log"))
    spec = meshviz.parse_spec(meshviz.read_binary_spec(binary))

    # The same clip and the same thread count for the simulator and onnxruntime.
    clips = make_clips(model, cfg.clips, cfg.seed, work) if dtype == "bf16" else []
    ort_pairs = [(data_dir, os.path.join(work, "ort_0"))] + [
        (c, os.path.join(work, f"ort_clip_{i}")) for i, c in enumerate(clips)]
    timing = run_ort(model_path, cfg.threads, ort_pairs, work)
    row["ort_threads"] = timing["threads"]
    row["ort_create_s"] = timing["create_ms"] / 1e3
    row["ort_run_s"] = timing["run_ms"][0] / 1e3
    row["ort_s"] = row["ort_create_s"] + row["ort_run_s"]
    row["ort_process_s"] = timing["process_s"]

    sim_cmd = [sim, binary]
    row["sim_threads"] = 1
    if cfg.sim_threads_ok:
        sim_cmd += ["--threads", str(cfg.threads)]
        row["sim_threads"] = cfg.threads
    stats_path = os.path.join(work, "stats.json")
    row["sim_s"], row["sim_rss_bytes"] = run_measured(
        sim_cmd + ["--inputs", data_dir, "--outputs", os.path.join(work, "sim_0"),
                   "--stats", stats_path], os.path.join(work, "sim.log"))
    # A shared host's timings vary by 10-20% from run to run, so with
    # --repeat N the simulator and onnxruntime each run N times, alternating,
    # and the row holds the medians (every run is kept in the JSON).
    repeat = max(1, getattr(cfg, "repeat", 1))
    sim_runs, ort_runs = [row["sim_s"]], [row["ort_s"]]
    for i in range(1, repeat):
        t = run_ort(model_path, cfg.threads,
                    [(data_dir, os.path.join(work, "ort_again"))], work)
        ort_runs.append(t["create_ms"] / 1e3 + t["run_ms"][0] / 1e3)
        wall, _ = run_measured(
            sim_cmd + ["--inputs", data_dir, "--outputs", os.path.join(work, "sim_again")],
            os.path.join(work, "sim_again.log"))
        sim_runs.append(wall)
    row["sim_s_runs"], row["ort_s_runs"] = sim_runs, ort_runs
    row["sim_s"], row["ort_s"] = statistics.median(sim_runs), statistics.median(ort_runs)
    row["sim_over_ort"] = row["sim_s"] / row["ort_s"]
    with open(stats_path) as f:
        stats = json.load(f)
    for key in ("cycles", "sram_peak_bytes", "noc_bytes", "noc_max_link_bytes",
                "hbm_bytes", "macs"):
        # An older dojo-sim may not report every figure: leave it out.
        if key in stats:
            row[key] = stats[key]
    row["sram_bytes"] = int(spec["sram_bytes"])
    row["enabled_nodes"] = spec_enabled(spec)

    macs, unknown = bench_model.count_macs(model)
    row["macs_model"] = macs
    row["macs_source"] = "model"
    if unknown:
        # Shapes the inference could not pin down: fall back to what ran.
        row["macs_source"] = "sim"
        macs = stats.get("macs", 0)
    row["io_bytes"] = bench_model.io_bytes(model)
    row["weight_bytes"] = bench_model.weight_bytes(model)
    row["roofline_cycles"], row["bound"] = roofline(spec, dtype, macs, row["io_bytes"])
    row["utilization"] = row["roofline_cycles"] / stats["cycles"] if stats["cycles"] else 0.0

    ref = load_outputs(os.path.join(work, "ort_0"))
    got = load_outputs(os.path.join(work, "sim_0"))
    row["max_abs_rel"], row["rel_l2"], row["top1"] = compare(ref, got)

    agree = 0
    for i, clip in enumerate(clips):
        out = os.path.join(work, f"sim_clip_{i}")
        run_measured(sim_cmd + ["--inputs", clip, "--outputs", out],
                     os.path.join(work, f"sim_clip_{i}.log"))
        agree += compare(load_outputs(os.path.join(work, f"ort_clip_{i}")),
                         load_outputs(out))[2]
    if clips:
        row["top1_clips"] = [agree, len(clips)]

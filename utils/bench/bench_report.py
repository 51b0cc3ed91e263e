"""Formats benchmark rows as an aligned text table, Markdown or JSON, and
checks them against the goals of the benchmark issue."""

import json

# The goals rows are judged against (issue: r3d_18 on d1).
GOAL_CC_S = 10.0
GOAL_CC_RSS = 4 << 30
GOAL_SIM_OVER_ORT = 2.0
GOAL_BF16_UTIL = 0.5
GOAL_F32_MAX_ABS_REL = 1e-4
GOAL_BF16_REL_L2 = 2e-2

COLUMNS = [
    ("model", "model"), ("dtype", "dtype"),
    ("cc_s", "cc s"), ("cc_rss", "cc RSS"),
    ("sim_s", "sim s"), ("ort_s", "ort s"), ("ratio", "sim/ort"),
    ("cycles", "cycles"), ("roofline", "roofline"), ("util", "util"),
    ("sram", "SRAM peak"), ("noc", "NoC bytes"), ("link", "max link"),
    ("error", "error vs ORT"), ("top1", "top-1"),
]


def _si(n):
    """Compact count: 1234567 -> 1.23M."""
    for scale, suffix in ((1e9, "G"), (1e6, "M"), (1e3, "k")):
        if abs(n) >= scale:
            return f"{n / scale:.3g}{suffix}"
    return str(n)


def _bytes(n):
    # Three significant digits, without an exponent (1020 MiB, not
    # 1.02e+03 MiB).
    for scale, suffix in ((1 << 30, "GiB"), (1 << 20, "MiB"), (1 << 10, "KiB")):
        if n >= scale:
            v = n / scale
            return f"{v:.0f} {suffix}" if v >= 100 else f"{v:.3g} {suffix}"
    return f"{n} B"


def goals(row):
    """Goal name -> pass/fail for the figures this row has."""
    g = {}
    if "cc_s" in row:
        g["compile <= 10 s"] = row["cc_s"] <= GOAL_CC_S
        g["compile RSS <= 4 GB"] = row["cc_rss_bytes"] <= GOAL_CC_RSS
    if "sim_over_ort" in row:
        g["sim/ort <= 2.0"] = row["sim_over_ort"] <= GOAL_SIM_OVER_ORT
    if row["dtype"] == "bf16" and "utilization" in row:
        g["BF16 utilization >= 0.5"] = row["utilization"] >= GOAL_BF16_UTIL
    if row["dtype"] == "f32" and "max_abs_rel" in row:
        g["FP32 max abs err / max|ref| <= 1e-4"] = row["max_abs_rel"] <= GOAL_F32_MAX_ABS_REL
    if row["dtype"] == "bf16" and "rel_l2" in row:
        g["BF16 relative L2 <= 2e-2"] = row["rel_l2"] <= GOAL_BF16_REL_L2
        g["BF16 top-1 agrees"] = row["top1"] and (
            "top1_clips" not in row or row["top1_clips"][0] == row["top1_clips"][1])
    return g


def cells(row):
    """The printed cells of one row; a failed row shows its error after
    whatever it measured before failing."""
    c = {"model": row["model"], "dtype": row["dtype"]}
    if "cc_s" in row:
        c["cc_s"] = f"{row['cc_s']:.2f}"
        c["cc_rss"] = _bytes(row["cc_rss_bytes"])
    # A row that failed part-way has only the figures measured before the
    # failure: show each one it has.
    if "sim_s" in row:
        c["sim_s"] = f"{row['sim_s']:.2f}"
    if "ort_s" in row:
        c["ort_s"] = f"{row['ort_s']:.2f}"
    if "sim_over_ort" in row:
        c["ratio"] = f"{row['sim_over_ort']:.2f}"
    if "cycles" in row:
        c["cycles"] = _si(row["cycles"])
    if "roofline_cycles" in row:
        c["roofline"] = f"{_si(round(row['roofline_cycles']))} ({row['bound']})"
    if "utilization" in row:
        c["util"] = f"{row['utilization']:.3f}"
    if "sram_peak_bytes" in row:
        c["sram"] = _bytes(row["sram_peak_bytes"])
    if "noc_bytes" in row:
        c["noc"] = _bytes(row["noc_bytes"])
    if "noc_max_link_bytes" in row:
        c["link"] = _bytes(row["noc_max_link_bytes"])
    if "max_abs_rel" in row:
        if row["dtype"] == "f32":
            ok = row["max_abs_rel"] <= GOAL_F32_MAX_ABS_REL
            c["error"] = f"maxabs/max|ref| {row['max_abs_rel']:.1e} {'ok' if ok else 'FAIL'}"
        else:
            ok = row["rel_l2"] <= GOAL_BF16_REL_L2
            c["error"] = f"rel L2 {row['rel_l2']:.1e} {'ok' if ok else 'FAIL'}"
        top1 = "yes" if row["top1"] else "NO"
        if "top1_clips" in row:
            top1 += f", {row['top1_clips'][0]}/{row['top1_clips'][1]} clips"
        c["top1"] = top1
    if "error" in row:
        c["error"] = "ERROR: " + row["error"]
    return c


def text_table(rows):
    grid = [[title for _, title in COLUMNS]]
    grid += [[cells(r).get(key, "-") for key, _ in COLUMNS] for r in rows]
    widths = [max(len(line[i]) for line in grid) for i in range(len(COLUMNS))]
    return "\n".join("  ".join(cell.ljust(w) for cell, w in zip(line, widths)).rstrip()
                     for line in grid)


def markdown_table(rows):
    head = "| " + " | ".join(title for _, title in COLUMNS) + " |"
    sep = "|" + "|".join("---" for _ in COLUMNS) + "|"
    body = ["| " + " | ".join(cells(r).get(key, "-").replace("|", "\\|")
                              for key, _ in COLUMNS) + " |" for r in rows]
    return "\n".join([head, sep] + body)


def goals_summary(rows):
    """One line per row listing the goals it misses."""
    out = []
    for r in rows:
        g = goals(r)
        missed = [name for name, ok in g.items() if not ok]
        status = "ERROR" if "error" in r else ("all goals met" if not missed
                                               else "misses: " + "; ".join(missed))
        out.append(f"{r['model']} {r['dtype']}: {status}")
    return out


def to_json(rows, meta):
    return json.dumps({"meta": meta, "rows": [dict(r, goals=goals(r)) for r in rows]},
                      indent=2)

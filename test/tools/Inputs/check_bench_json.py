"""Summarizes utils/bench.py --json output for FileCheck: every row has all
its figures, the MACs counted from the graph equal the simulator's, and the
roofline is a lower bound on the simulated cycles."""
import json
import statistics
import sys

KEYS = ["cc_s", "cc_rss_bytes", "sim_s", "ort_s", "sim_over_ort", "cycles",
        "roofline_cycles", "bound", "utilization", "sram_peak_bytes", "noc_bytes",
        "noc_max_link_bytes", "max_abs_rel", "rel_l2", "top1", "goals"]

data = json.load(open(sys.argv[1]))
print(f"rows {len(data['rows'])}")
for r in data["rows"]:
    line = (f"{r['model']} {r['dtype']}: complete {all(k in r for k in KEYS) and 'error' not in r}, "
            f"macs model == sim {r.get('macs_model') == r.get('macs')}, "
            f"roofline <= cycles {r.get('roofline_cycles', 1e30) <= r.get('cycles', 0)}")
    if "sim_s_runs" in r:
        line += (f", runs {len(r['sim_s_runs'])}/{len(r['ort_s_runs'])}, medians "
                 f"{r['sim_s'] == statistics.median(r['sim_s_runs']) and r['ort_s'] == statistics.median(r['ort_s_runs'])}")
    if "top1_clips" in r:
        line += f", clips {r['top1_clips'][1]}"
    print(line)
print(f"meta machine nproc {data['meta']['machine']['nproc'] >= 1}")

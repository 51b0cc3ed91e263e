"""Checks a dojo-sim --trace file: valid Chrome trace JSON whose tracks,
spans and DMA arguments follow the documented layout. Prints one summary
line for FileCheck; exits non-zero with a message on the first violation."""
import collections
import json
import sys

trace = json.load(open(sys.argv[1]))
events = trace["traceEvents"]
names = {}
for e in events:
    if e["ph"] == "M" and e["name"] == "thread_name":
        names[e["tid"]] = e["args"]["name"]
spans = [e for e in events if e["ph"] == "X"]
cats = collections.Counter(e["cat"] for e in spans)
assert set(cats) == {"compute", "wait", "dma"}, cats
by_track = collections.defaultdict(list)
for e in spans:
    assert e["pid"] == 0 and e["dur"] > 0 and e["ts"] >= 0, e
    assert e["tid"] in names, "track without a thread_name: %s" % e
    label = names[e["tid"]]
    if e["cat"] == "dma":
        assert e["tid"] >= 100000 and " dma " in label, e
        a = e["args"]
        assert a["bytes"] > 0 and a["hops"] >= 0 and a["src"] and a["dst"], e
    else:
        assert e["tid"] < 100000 and label.startswith("node ("), e
    by_track[e["tid"]].append((e["ts"], e["ts"] + e["dur"]))
# Spans of one track never overlap, so viewers nest them correctly.
for tid, iv in by_track.items():
    iv.sort()
    for (b0, e0), (b1, e1) in zip(iv, iv[1:]):
        assert b1 >= e0, "overlap on track %d: %s %s" % (tid, (b0, e0), (b1, e1))
# Compute spans are named after ONNX nodes of the model.
compute = {e["name"] for e in spans if e["cat"] == "compute"}
print("compute spans name Conv:", any(n.endswith("/Conv") for n in compute))
print("ok", len(names) > 0)

"""Checks meshviz's SVGs against the statistics they were drawn from.

Usage: check_svg.py STATS.json SVG_DIR
Prints, per picture, whether it parses as XML, how many node squares (and
disabled ones) it has against the mesh size, and for links.svg whether every
link in the statistics is drawn.
"""
import json
import sys
import xml.etree.ElementTree as ET

NS = "{http://www.w3.org/2000/svg}"

stats = json.load(open(sys.argv[1]))
rows, cols = stats["mesh_rows"], stats["mesh_cols"]
disabled = rows * cols - len(stats["nodes"])
for name in ("busy", "sram", "links"):
    try:
        root = ET.parse(f"{sys.argv[2]}/{name}.svg").getroot()
    except ET.ParseError as e:
        print(f"{name}: not XML: {e}")
        continue
    classes = [r.get("class", "") for r in root.iter(NS + "rect")]
    nodes = sum(1 for c in classes if c.split()[:1] == ["node"])
    off = sum(1 for c in classes if c == "node disabled")
    print(f"{name}: xml ok, {nodes} nodes (mesh {rows * cols}: {nodes == rows * cols}),"
          f" {off} disabled (expected {disabled}: {off == disabled})")
    if name == "links":
        lines = sum(1 for l in root.iter(NS + "line") if l.get("class") == "link")
        print(f"links: {lines} drawn, all: {lines == len(stats['links']) and lines > 0}")

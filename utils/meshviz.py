#!/usr/bin/env python3
"""Pictures of a simulated dojo-cc run, drawn from dojo-sim's --stats JSON.

    meshviz.py --stats run.json [--binary model.d1] [--svg-dir DIR] [--text]
               [--metric busy,sram,links]

--svg-dir writes busy.svg, sram.svg and links.svg: the mesh as a grid of
squares coloured by each node's busy fraction or SRAM peak, and every NoC link
as a bar between neighbouring squares whose width and colour follow its bytes.
--text prints the same maps to the terminal, one character per node. Disabled
(harvested) nodes are the mesh positions the statistics do not list, or the
ones --binary's target spec names; they are crossed out / shown as 'x'.

Standard library only, so it runs with any python3 (the SVG is written by
hand).
"""

import argparse
import json
import os
import struct
import sys
from xml.sax.saxutils import escape

# Ten steps of a perceptually ordered palette (viridis), dark = low.
PALETTE = ["#440154", "#482878", "#3e4989", "#31688e", "#26828e",
           "#1f9e89", "#35b779", "#6ece58", "#b5de2b", "#fde725"]
# Ten ASCII characters of increasing ink for the terminal map.
RAMP = ".,:;-=+*#@"
DISABLED_FILL = "#bbbbbb"
CELL = 26   # square side in pixels
GAP = 12    # space between squares, where the link bars go
MARGIN = 40
LEGEND_H = 70
METRICS = ("busy", "sram", "links")


class VizError(Exception):
    pass


# --- Inputs -----------------------------------------------------------------

def read_binary_spec(path):
    """The target spec string (TargetModel::toSpec) stored in a .d1 binary.

    A .d1 file starts with a size-prefixed FlatBuffer whose root table
    `Binary` has `target: string` as field 1 (include/dojo/Binary/
    dojo_binary.fbs, docs/binary-format.md); reading that one field by hand
    avoids needing the flatbuffers package, and only the FlatBuffer is read,
    not the weights after it.
    """
    try:
        with open(path, "rb") as f:
            head = f.read(12)
            if head[8:12] == b"D1BN":
                # Offsets count from the end of the 4-byte size prefix.
                size = struct.unpack_from("<I", head, 0)[0]
                data = head[4:] + f.read(max(size - 8, 0))
            elif head[4:8] == b"D1BN":
                raise VizError(f"{path}: binary of format version 1; "
                               "recompile the model")
            else:
                raise VizError(
                    f"{path}: not a dojo-cc binary (no D1BN identifier)")
    except OSError as e:
        raise VizError(f"{path}: {e.strerror}")
    try:
        root = struct.unpack_from("<I", data, 0)[0]
        vtable = root - struct.unpack_from("<i", data, root)[0]
        vt_size = struct.unpack_from("<H", data, vtable)[0]
        field_entry = 4 + 2 * 1
        if field_entry + 2 > vt_size:
            raise VizError(f"{path}: binary has no target spec")
        field = struct.unpack_from("<H", data, vtable + field_entry)[0]
        if field == 0:
            raise VizError(f"{path}: binary has no target spec")
        pos = root + field
        string = pos + struct.unpack_from("<I", data, pos)[0]
        length = struct.unpack_from("<I", data, string)[0]
        return data[string + 4:string + 4 + length].decode("utf-8")
    except (struct.error, UnicodeDecodeError):
        raise VizError(f"{path}: truncated or corrupt binary")


def parse_spec(spec):
    """Parses `name=d1,rows=18,...,disabled=2:3;5:16,...` into a dict with
    int rows/cols and `disabled` as a set of (row, col)."""
    out = {}
    for item in spec.split(","):
        key, sep, value = item.partition("=")
        if not sep:
            raise VizError(f"target spec item '{item}' is not key=value")
        out[key] = value
    try:
        out["rows"], out["cols"] = int(out["rows"]), int(out["cols"])
        disabled = set()
        for rc in filter(None, out.get("disabled", "").split(";")):
            r, c = rc.split(":")
            disabled.add((int(r), int(c)))
    except (KeyError, ValueError):
        raise VizError(f"malformed target spec '{spec[:80]}'")
    out["disabled"] = disabled
    return out


def load_stats(path):
    try:
        with open(path) as f:
            stats = json.load(f)
    except OSError as e:
        raise VizError(f"{path}: {e.strerror}")
    except json.JSONDecodeError as e:
        raise VizError(f"{path}: not JSON ({e.msg} at line {e.lineno})")
    except UnicodeDecodeError:
        raise VizError(f"{path}: not JSON (binary data)")
    for key in ("cycles", "mesh_rows", "mesh_cols", "nodes", "links"):
        if not isinstance(stats, dict) or key not in stats:
            raise VizError(f"{path}: no '{key}' field; is this dojo-sim --stats output?")
    return stats


class Mesh:
    """Per-node values of one run, indexed by (row, col)."""

    def __init__(self, stats, spec=None):
        self.rows, self.cols = stats["mesh_rows"], stats["mesh_cols"]
        if spec and (spec["rows"], spec["cols"]) != (self.rows, self.cols):
            raise VizError(f"binary is for a {spec['rows']}x{spec['cols']} mesh, "
                           f"statistics for {self.rows}x{self.cols}")
        self.cycles = max(1, stats["cycles"])
        self.nodes = {(n["row"], n["col"]): n for n in stats["nodes"]}
        everything = {(r, c) for r in range(self.rows) for c in range(self.cols)}
        self.disabled = spec["disabled"] if spec else everything - set(self.nodes)
        self.sram_bytes = int(spec["sram_bytes"]) if spec and "sram_bytes" in spec else None
        self.links = []
        for link in stats["links"]:
            a, b = divmod(link["from"], self.cols), divmod(link["to"], self.cols)
            self.links.append((a, b, link["bytes"]))
        self.max_link = max([l[2] for l in self.links], default=0)

    def busy(self, rc):
        """Fraction of the whole run's cycles the node spent computing."""
        n = self.nodes.get(rc)
        return n["busy_cycles"] / self.cycles if n else 0.0

    def sram_scale(self):
        """SRAM values are shown against capacity when the spec is known,
        else against the fullest node (the legend says which)."""
        if self.sram_bytes:
            return self.sram_bytes, "of node SRAM"
        peak = max([n["sram_peak"] for n in self.nodes.values()], default=0)
        return max(1, peak), "of the fullest node"

    def sram(self, rc):
        n = self.nodes.get(rc)
        return n["sram_peak"] / self.sram_scale()[0] if n else 0.0

    def out_link(self, rc):
        """The node's busiest outgoing link relative to the busiest link."""
        if not self.max_link:
            return 0.0
        return max([b for a, _, b in self.links if a == rc], default=0) / self.max_link


def level(value):
    """One of ten equal steps of [0, 1]."""
    return min(9, max(0, int(value * 10)))


# --- Terminal map -----------------------------------------------------------

def text_map(mesh, metric):
    title, fn, note = {
        "busy": ("busy cycles / run cycles", mesh.busy, ""),
        "sram": ("SRAM peak", mesh.sram, " " + mesh.sram_scale()[1]),
        "links": ("busiest outgoing link", mesh.out_link,
                  f" relative to the busiest link ({mesh.max_link} bytes)"),
    }[metric]
    lines = [f"{title}{note}: '{RAMP[0]}' <10% ... '{RAMP[-1]}' >=90%, 'x' disabled"]
    for r in range(mesh.rows):
        cells = "".join("x" if (r, c) in mesh.disabled else RAMP[level(fn((r, c)))]
                        for c in range(mesh.cols))
        lines.append(f"{r:3d} |{cells}|")
    return "\n".join(lines)


# --- SVG --------------------------------------------------------------------

def cell_origin(r, c):
    return MARGIN + c * (CELL + GAP), MARGIN + 20 + r * (CELL + GAP)


def svg_frame(mesh, title, body, legend):
    width = max(2 * MARGIN + mesh.cols * (CELL + GAP), 420)
    grid_h = MARGIN + 20 + mesh.rows * (CELL + GAP)
    height = grid_h + LEGEND_H
    head = (f'<svg xmlns="http://www.w3.org/2000/svg" width="{width}" height="{height}" '
            f'viewBox="0 0 {width} {height}" font-family="sans-serif" font-size="11">\n'
            f'<rect width="100%" height="100%" fill="white"/>\n'
            f'<text x="{MARGIN}" y="24" font-size="14">{escape(title)}</text>\n')
    return head + body + svg_legend(legend, grid_h + 10) + "</svg>\n"


def svg_legend(label, y):
    parts = [f'<g class="legend"><text x="{MARGIN}" y="{y + 10}">{escape(label)}</text>\n']
    for i, color in enumerate(PALETTE):
        x = MARGIN + i * 30
        parts.append(f'<rect x="{x}" y="{y + 16}" width="30" height="12" fill="{color}"/>\n')
        parts.append(f'<text x="{x}" y="{y + 42}">{i * 10}%</text>\n')
    x = MARGIN + 10 * 30 + 16
    parts.append(f'<rect x="{x}" y="{y + 16}" width="12" height="12" fill="{DISABLED_FILL}"/>'
                 f'<text x="{x + 16}" y="{y + 26}">disabled</text></g>\n')
    return "".join(parts)


def svg_nodes(mesh, value_fn, describe, faded=False):
    """One <rect class="node"> per mesh position, disabled ones crossed out."""
    parts = []
    for r in range(mesh.rows):
        for c in range(mesh.cols):
            x, y = cell_origin(r, c)
            if (r, c) in mesh.disabled:
                parts.append(
                    f'<rect class="node disabled" x="{x}" y="{y}" width="{CELL}" height="{CELL}" '
                    f'fill="{DISABLED_FILL}"><title>{r}:{c} disabled</title></rect>\n'
                    f'<path d="M{x},{y}L{x + CELL},{y + CELL}M{x + CELL},{y}L{x},{y + CELL}" '
                    f'stroke="#555" stroke-width="1.5"/>\n')
                continue
            fill = "#f4f4f4" if faded else PALETTE[level(value_fn((r, c)))]
            tip = escape(describe((r, c)))
            parts.append(f'<rect class="node" x="{x}" y="{y}" width="{CELL}" height="{CELL}" '
                         f'fill="{fill}" stroke="#999"><title>{tip}</title></rect>\n')
    return "".join(parts)


def describe(mesh, rc):
    n = mesh.nodes.get(rc)
    if not n:
        return f"{rc[0]}:{rc[1]} not in the statistics"
    return (f"node {n['node']} ({rc[0]}:{rc[1]}): busy {n['busy_cycles']} / {mesh.cycles} "
            f"cycles, wait {n['wait_cycles']}, {n['instructions']} instructions, "
            f"{n['macs']} MACs, SRAM peak {n['sram_peak']} bytes")


def svg_links(mesh):
    """A bar per directed link between neighbours; the two directions of a
    pair sit side by side (east/south-bound on the left or top)."""
    parts = []
    skipped = 0
    for (ra, ca), (rb, cb), nbytes in mesh.links:
        if abs(ra - rb) + abs(ca - cb) != 1 or not mesh.max_link:
            skipped += 1
            continue
        frac = nbytes / mesh.max_link
        color = PALETTE[level(frac)]
        width = 1 + 4 * frac
        xa, ya = cell_origin(ra, ca)
        xb, yb = cell_origin(rb, cb)
        side = -3 if (rb > ra or cb > ca) else 3
        if ra == rb:  # Horizontal: bar across the gap between the squares.
            y = ya + CELL / 2 + side
            x0 = min(xa, xb) + CELL - 2
            x1, x2 = (x0, x0 + GAP + 4) if cb > ca else (x0 + GAP + 4, x0)
            parts.append(_bar(x1, y, x2, y, color, width, ra, ca, rb, cb, nbytes))
        else:
            x = xa + CELL / 2 + side
            y0 = min(ya, yb) + CELL - 2
            y1, y2 = (y0, y0 + GAP + 4) if rb > ra else (y0 + GAP + 4, y0)
            parts.append(_bar(x, y1, x, y2, color, width, ra, ca, rb, cb, nbytes))
    return "".join(parts), skipped


def _bar(x1, y1, x2, y2, color, width, ra, ca, rb, cb, nbytes):
    return (f'<line class="link" x1="{x1:.1f}" y1="{y1:.1f}" x2="{x2:.1f}" y2="{y2:.1f}" '
            f'stroke="{color}" stroke-width="{width:.2f}" marker-end="url(#arrow)">'
            f'<title>{ra}:{ca} -&gt; {rb}:{cb}: {nbytes} bytes</title></line>\n')


def write_svgs(mesh, directory):
    os.makedirs(directory, exist_ok=True)
    desc = lambda rc: describe(mesh, rc)
    scale, scale_note = mesh.sram_scale()
    pictures = {
        "busy": svg_frame(mesh, f"Busy fraction per node ({mesh.cycles} cycles)",
                          svg_nodes(mesh, mesh.busy, desc),
                          "busy cycles / run cycles"),
        "sram": svg_frame(mesh, "SRAM peak per node",
                          svg_nodes(mesh, mesh.sram, desc),
                          f"SRAM peak {scale_note} ({scale} bytes)"),
    }
    bars, skipped = svg_links(mesh)
    arrow = ('<defs><marker id="arrow" markerWidth="4" markerHeight="4" refX="2" refY="2" '
             'orient="auto" markerUnits="strokeWidth"><path d="M0,0L4,2L0,4z" fill="#333"/>'
             '</marker></defs>\n')
    note = f" ({skipped} non-neighbour links not drawn)" if skipped else ""
    pictures["links"] = svg_frame(
        mesh, f"NoC link load{note}", arrow + svg_nodes(mesh, None, desc, faded=True) + bars,
        f"bytes / busiest link ({mesh.max_link} bytes)")
    paths = []
    for name, text in pictures.items():
        path = os.path.join(directory, f"{name}.svg")
        try:
            with open(path, "w") as f:
                f.write(text)
        except OSError as e:
            raise VizError(f"{path}: {e.strerror}")
        paths.append(path)
    return paths


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--stats", required=True, help="dojo-sim --stats JSON")
    ap.add_argument("--binary", help="the .d1 binary, for the target spec "
                    "(disabled nodes, SRAM size)")
    ap.add_argument("--svg-dir", help="write busy.svg, sram.svg and links.svg here")
    ap.add_argument("--text", action="store_true", help="print text maps")
    ap.add_argument("--metric", default=",".join(METRICS),
                    help="text maps to print: busy,sram,links (default all)")
    args = ap.parse_args(argv)
    try:
        metrics = [m for m in args.metric.split(",") if m]
        bad = [m for m in metrics if m not in METRICS]
        if bad:
            raise VizError(f"unknown metric '{bad[0]}' (expected busy, sram or links)")
        if not args.svg_dir and not args.text:
            raise VizError("nothing to do: give --svg-dir DIR and/or --text")
        spec = parse_spec(read_binary_spec(args.binary)) if args.binary else None
        mesh = Mesh(load_stats(args.stats), spec)
        if args.text:
            print(f"{mesh.rows}x{mesh.cols} mesh, {len(mesh.nodes)} nodes active, "
                  f"{len(mesh.disabled)} disabled, {mesh.cycles} cycles")
            print("\n\n".join(text_map(mesh, m) for m in metrics))
        if args.svg_dir:
            for path in write_svgs(mesh, args.svg_dir):
                print(f"wrote {path}")
    except VizError as e:
        print(f"meshviz: error: {e}", file=sys.stderr)
        return 1
    except (KeyError, TypeError, ValueError) as e:
        # A stats file of the right shape at the top but not inside.
        print(f"meshviz: error: {args.stats}: malformed statistics ({type(e).__name__}: {e})",
              file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())

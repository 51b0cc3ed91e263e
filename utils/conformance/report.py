"""Turns conformance results into the console summary, JSON and docs/conformance.md."""

import collections
import json

import inventory
import runner


def display_name(test, duplicated):
    """Test name as printed; suite-qualified only where the bare name is ambiguous."""
    return f"{test.suite}/{test.name}" if test.name in duplicated else test.name


def result_line(result, duplicated):
    name = f"{display_name(result.test, duplicated)} [{result.target}]"
    if result.status == runner.PASS:
        return f"PASS {name}"
    if result.status == runner.UNSUPPORTED:
        return f"UNSUPPORTED {name}: {result.detail}"
    if result.status == runner.SKIPPED:
        return f"SKIP {name}: {result.detail}"
    return f"FAIL {name}: {result.status}: {result.detail}"


class Summary:
    """Counts over (test, target) results."""

    def __init__(self, results, targets):
        self.results = results
        self.targets = targets
        status = collections.Counter(r.status for r in results)
        self.by_status = status
        self.passed = status[runner.PASS]
        self.failed = sum(status[s] for s in runner.FAILED_STATUSES)
        self.unsupported = status[runner.UNSUPPORTED]
        self.skipped = status[runner.SKIPPED]
        self.fatal = [r for r in results if r.status in runner.FATAL_STATUSES]
        self.crashes = [r for r in results if r.status == runner.CRASH]

    def line(self):
        return (f"{self.passed} passed, {self.failed} failed "
                f"({self.unsupported} unsupported, {self.skipped} skipped)")

    def in_scope_rates(self):
        """Returns {target: (passed, total)} over in-scope tests that were not skipped."""
        rates = {}
        for target in self.targets:
            rs = [r for r in self.results if r.target == target and r.test.in_scope
                  and r.status != runner.SKIPPED]
            rates[target] = (sum(r.status == runner.PASS for r in rs), len(rs))
        return rates

    def breakdown(self):
        return ", ".join(f"{status}: {n}" for status, n in sorted(self.by_status.items()))


def rate_text(passed, total):
    pct = 100.0 * passed / total if total else 0.0
    return f"{passed}/{total} ({pct:.1f}%)"


def print_summary(summary, out):
    if summary.crashes:
        print("", file=out)
        print(f"CRASHES ({len(summary.crashes)}): reproduce with", file=out)
        for r in summary.crashes:
            print(f"  {r.test.name} [{r.target}]: {r.detail}", file=out)
            for cmd in r.repro:
                print(f"    {cmd}", file=out)
    timeouts = [r for r in summary.results if r.status == runner.TIMEOUT]
    if timeouts:
        print(f"TIMEOUTS ({len(timeouts)}):", file=out)
        for r in timeouts:
            print(f"  {r.test.name} [{r.target}]: {r.detail}", file=out)
            for cmd in r.repro:
                print(f"    {cmd}", file=out)
    print("", file=out)
    print(f"by status: {summary.breakdown()}", file=out)
    for target, (passed, total) in summary.in_scope_rates().items():
        print(f"in-scope pass rate [{target}]: {rate_text(passed, total)}", file=out)
    print(summary.line(), file=out)


def write_json(path, summary, command, date, seconds):
    data = {
        "command": command, "date": date, "seconds": round(seconds, 1),
        "targets": summary.targets,
        "summary": {"passed": summary.passed, "failed": summary.failed,
                    "unsupported": summary.unsupported, "skipped": summary.skipped,
                    "by_status": dict(summary.by_status),
                    "in_scope": {t: {"passed": p, "total": n}
                                 for t, (p, n) in summary.in_scope_rates().items()}},
        "results": [r.to_json() for r in summary.results],
    }
    with open(path, "w", encoding="utf-8") as f:
        json.dump(data, f, indent=1)
        f.write("\n")


def _cell(text):
    """Makes text safe inside a Markdown table cell."""
    return text.replace("|", "\\|").replace("\n", " ")


def _truncate(text, limit=140):
    return text if len(text) <= limit else text[:limit - 3] + "..."


def per_op_rows(summary):
    """Returns [(op, in_list, tests, in_scope_tests, {target: (p, f, u)}, reason)]."""
    groups = collections.OrderedDict()
    for op in inventory.SCOPE_OPS:
        groups[op] = []
    for r in sorted(summary.results, key=lambda r: r.test.group):
        groups.setdefault(r.test.group, []).append(r)
    rows = []
    for op, rs in groups.items():
        tests = {(r.test.suite, r.test.name) for r in rs}
        in_scope = {(r.test.suite, r.test.name) for r in rs if r.test.in_scope}
        counts = {}
        for target in summary.targets:
            trs = [r for r in rs if r.target == target]
            counts[target] = (sum(r.status == runner.PASS for r in trs),
                              sum(r.status in runner.FAILED_STATUSES for r in trs),
                              sum(r.status == runner.UNSUPPORTED for r in trs))
        first = next((r for r in rs if r.status in runner.FAILED_STATUSES), None) or \
            next((r for r in rs if r.status == runner.UNSUPPORTED), None)
        reason = ""
        if first is not None:
            reason = f"{first.test.name} [{first.target}]: {first.status}: {first.detail}"
        rows.append((op, op in inventory.SCOPE_SET, len(tests), len(in_scope), counts, reason))
    return rows


def write_docs(path, summary, command, date, revision, seconds):
    lines = [
        "# ONNX conformance",
        "",
        "<!-- Generated by utils/conformance; do not edit by hand. -->",
        "",
        f"Generated on {date} from revision `{revision}` by:",
        "",
        "```sh",
        command,
        "```",
        "",
        "Every ONNX backend node test in Debian's `libonnx-testdata` (suites "
        "`node`, `pytorch-converted`, `pytorch-operator`) is compiled with "
        "`dojo-cc` for each target and every data set is run on `dojo-sim` "
        f"against its reference outputs (rtol {inventory.DEFAULT_RTOL:g}, "
        f"atol {inventory.DEFAULT_ATOL:g} unless overridden in "
        "`utils/conformance/inventory.py`). A test is *in scope* when all its "
        "ops are in issue 3's op list; `_expanded` tests (function-body "
        "decompositions) are filed under the op they expand.",
        "",
        "## Summary",
        "",
        f"- {summary.line()} over (test, target) pairs, in {seconds:.0f} s.",
        f"- By status: {summary.breakdown()}.",
    ]
    for target, (passed, total) in summary.in_scope_rates().items():
        lines.append(f"- In-scope pass rate on `{target}`: {rate_text(passed, total)}.")
    lines += ["", "## Crashes", ""]
    if summary.crashes:
        for r in summary.crashes:
            lines.append(f"- `{r.test.name}` [{r.target}]: {_cell(r.detail)}")
            for cmd in r.repro:
                lines.append(f"  - `{cmd}`")
    else:
        lines.append("None.")
    targets = summary.targets
    head = "| op | in list | tests (in scope) | " + " | ".join(
        f"{t} pass / fail / unsup" for t in targets) + " | first failure |"
    lines += ["", "## Per op", "",
              "Counts are tests filed under the op (the op a single-op test "
              "exercises, or the last computing op of a multi-op model). Ops "
              "of the issue's list come first; a list op with no row count "
              "has no test in this version of the test data.", "",
              head, "|" + "---|" * (4 + len(targets))]
    for op, in_list, tests, in_scope, counts, reason in per_op_rows(summary):
        cells = [op, "yes" if in_list else "", f"{tests} ({in_scope})"]
        cells += ["{} / {} / {}".format(*counts[t]) if tests else "" for t in targets]
        cells.append(_cell(_truncate(reason)))
        lines.append("| " + " | ".join(cells) + " |")
    lines.append("")
    with open(path, "w", encoding="utf-8") as f:
        f.write("\n".join(lines))

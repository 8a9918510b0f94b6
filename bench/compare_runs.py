"""Compare two sets of benchmark runs (``bench_pipeline.py --json``), e.g. a change and the
commit before it, run alternately on the same machine.

Usage: ``uv run python bench/compare_runs.py --before a1.json a2.json --after b1.json b2.json``

For each stage it prints, per set, the rate, the rate as a share of the raw one-hop chain of the
same run (the machine drifts between runs; the ratio to a baseline measured in the same run is
what compares), and the CPU per message; then ``after / before`` of the mean ratio and of the
mean CPU per message. The same for the pipeline's sustained rate and the latency p99.
"""

from __future__ import annotations

import argparse
import json
import statistics
from pathlib import Path
from typing import Any

STAGES = ("intake", "scheduling", "evaluation", "reporting")


def load(paths: list[Path]) -> list[dict[str, Any]]:
    return [json.loads(path.read_text(encoding="utf-8")) for path in paths]


def stage_figures(run: dict[str, Any], stage: str) -> tuple[float, float, float]:
    """(rate msg/s, share of the raw chain, CPU ms per message) of one stage in one run."""
    figures = run["stages"][stage]
    baseline = run["raw_chain"]["rate"]
    return figures["rate"], figures["rate"] / baseline, figures["cpu_ms_per_msg"]


def _list(values: list[float], fmt: str) -> str:
    return " / ".join(fmt.format(v) for v in values)


def compare(before: list[dict[str, Any]], after: list[dict[str, Any]]) -> list[str]:
    lines = [
        f"{'figure':<34}{'before':>34}{'after':>34}{'after/before':>14}",
    ]
    for stage in STAGES:
        if not all(stage in run.get("stages", {}) for run in (*before, *after)):
            continue
        rows = {}
        for name, runs in (("before", before), ("after", after)):
            figures = [stage_figures(run, stage) for run in runs]
            rows[name] = figures
        for label, index, fmt in (
            (f"stage {stage}, msg/s", 0, "{:.0f}"),
            (f"stage {stage}, share of raw chain", 1, "{:.0%}"),
            (f"stage {stage}, CPU ms/msg", 2, "{:.2f}"),
        ):
            b = [f[index] for f in rows["before"]]
            a = [f[index] for f in rows["after"]]
            ratio = statistics.mean(a) / statistics.mean(b)
            lines.append(f"{label:<34}{_list(b, fmt):>34}{_list(a, fmt):>34}{ratio:>14.0%}")
    for label, key, fmt in (
        ("raw one-hop chain (baseline), msg/s", ("raw_chain", "rate"), "{:.0f}"),
        ("pipeline sustained, events/s", ("pipeline", "rate"), "{:.0f}"),
        ("latency p99 at 50/s, ms", ("latency", "p99_ms"), "{:.0f}"),
    ):
        if not all(key[0] in run for run in (*before, *after)):
            continue  # not measured in these runs (--stages, --latency-only)
        b = [run[key[0]][key[1]] for run in before]
        a = [run[key[0]][key[1]] for run in after]
        ratio = statistics.mean(a) / statistics.mean(b)
        lines.append(f"{label:<34}{_list(b, fmt):>34}{_list(a, fmt):>34}{ratio:>14.0%}")
    return lines


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--before", type=Path, nargs="+", required=True)
    parser.add_argument("--after", type=Path, nargs="+", required=True)
    args = parser.parse_args()
    print("\n".join(compare(load(args.before), load(args.after))))


if __name__ == "__main__":
    main()

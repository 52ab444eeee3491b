"""The README's bench table from a bench/run.py JSON: every page and file, its bound, p95 ratio and p95 in ms.

    .venv/bin/python bench/table.py bench/results/final-1.json [more runs…]

With several runs, each gets its own ratio column (the final three quiet-machine runs side by side).
"""

import json
import sys
from pathlib import Path


def table(paths):
    runs = [json.loads(Path(p).read_text()) for p in paths]
    names = list(runs[0]["endpoints"])
    head = "| page or file | kind | bound | " + " | ".join(f"×p95 run {i + 1}" for i in range(len(runs)))
    lines = [head + " | p95 ms (run 1) |", "| --- | --- | ---: | " + " | ".join("---:" for _ in runs) + " | ---: |"]
    for name in names:
        first = runs[0]["endpoints"][name]
        if first.get("missing"):
            continue
        bound = f"≤ {first['target_ratio']}×" if first["target_ratio"] else "—"
        ratios = []
        for run in runs:
            entry = run["endpoints"].get(name, {})
            mark = "" if entry.get("meets_targets", True) else " ✗"
            ratios.append(f"{entry['ratio_p95']:.2f}{mark}" if "ratio_p95" in entry else "—")
        lines.append(f"| {name} | {first['kind']} | {bound} | " + " | ".join(ratios) + f" | {first['p95_ms']:.0f} |")
    foot = [
        f"run {i + 1}: commit {r['commit']}, trivial p95 {r.get('trivial_p95_ms')} ms, load average "
        f"{r.get('load_average', {}).get('before')} → {r.get('load_average', {}).get('after')}"
        + (
            f", other processes {r['other_processes_cores']} cores"
            if r.get("other_processes_cores") is not None
            else ""
        )
        + (" (LOADED)" if r.get("warning") else "")
        for i, r in enumerate(runs)
    ]
    return "\n".join(lines) + "\n\n" + "\n".join(f"- {f}" for f in foot)


if __name__ == "__main__":
    print(table(sys.argv[1:]))

#!/usr/bin/env python3
"""Parse speed of `dieuhanh.vanban.parse_text` on one CPU core, start-up excluded.

Usage: bench/parse_speed.py [DIR] [--seconds N]

Reads every DIR/*.txt (default ../shared/corpus/dev beside the repository) plus
../shared/seeds/*.txt into memory, parses each once to warm up (imports, regex
compilation), then loops over them for N seconds (default 5) and prints
documents/s, mean ms per document, the slowest document and characters/s.
File reading (.docx/.pdf) is not measured: text input only.
"""

from __future__ import annotations

import argparse
import os
import sys
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
SHARED = REPO.parent / "shared"
sys.path.insert(0, str(REPO))

from dieuhanh.vanban import parse_text  # noqa: E402


def pin_one_cpu() -> str:
    if not hasattr(os, "sched_setaffinity"):
        return "not pinned (no sched_setaffinity on this platform)"
    cpus = sorted(os.sched_getaffinity(0))
    os.sched_setaffinity(0, {cpus[0]})
    return f"pinned to CPU {cpus[0]}"


def load(folder: Path) -> list[tuple[str, str]]:
    paths = sorted(folder.glob("*.txt")) + sorted((SHARED / "seeds").glob("*.txt"))
    docs = []
    seen = set()
    for path in paths:
        real = path.resolve()
        if real in seen:
            continue
        seen.add(real)
        docs.append((str(path), path.read_text(encoding="utf-8")))
    return docs


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("folder", nargs="?", type=Path, default=SHARED / "corpus" / "dev",
                        help="folder of NNN.txt documents (default: ../shared/corpus/dev)")
    parser.add_argument("--seconds", type=float, default=5.0, help="how long to loop (default 5)")
    args = parser.parse_args()

    pinned = pin_one_cpu()
    docs = load(args.folder)
    if not docs:
        print(f"no .txt documents in {args.folder}", file=sys.stderr)
        return 2
    total_chars = sum(len(text) for _, text in docs)

    for _, text in docs:  # warm-up: lazy imports, compiled patterns
        parse_text(text)

    per_doc: dict[str, list[float]] = {name: [] for name, _ in docs}
    count = chars = 0
    busy = 0.0
    clock = time.perf_counter
    deadline = clock() + args.seconds
    while clock() < deadline:
        for name, text in docs:
            start = clock()
            parse_text(text)
            took = clock() - start
            busy += took
            count += 1
            chars += len(text)
            per_doc[name].append(took)
    means = {name: sum(t) / len(t) for name, t in per_doc.items() if t}
    worst_name = max(means, key=means.__getitem__)
    worst_max = max(per_doc[worst_name])

    print(f"{len(docs)} documents, {total_chars:,} characters, {pinned}")
    print(f"  passes over the set   {count / len(docs):.1f} ({count} parses in {busy:.2f} s of parsing)")
    print(f"  documents/s           {count / busy:,.0f}")
    print(f"  mean ms/doc           {1000 * busy / count:.2f}")
    print(f"  slowest document      {worst_name} ({len(dict(docs)[worst_name]):,} chars): "
          f"{1000 * means[worst_name]:.2f} ms mean, {1000 * worst_max:.2f} ms max")
    print(f"  characters/s          {chars / busy:,.0f}")
    return 0


if __name__ == "__main__":
    sys.exit(main())

#!/usr/bin/env python3
"""Score `dieuhanh.vanban` against a labelled folder (NNN.txt + NNN.json).

Usage: bench/score_corpus.py DIR [--quiet] [--json]

Scalar fields: exact match after NFC, whitespace collapse and casefold.
Lists: micro-averaged F1 (recipients, distribution; references by number_symbol;
deadlines by date). Mismatches are printed unless --quiet.
"""

from __future__ import annotations

import argparse
import json
import sys
import unicodedata
from collections import Counter
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from dieuhanh.vanban import parse_file  # noqa: E402

SCALARS = (
    "issuer", "issuer_parent", "doc_type", "number", "symbol", "number_symbol",
    "place", "date", "subject", "signer_authority", "signer_position", "signer_name", "urgency",
)
LISTS = {
    "recipients": lambda item: norm(item),
    "distribution": lambda item: norm(item),
    "references": lambda item: norm(item.get("number_symbol")),
    "deadlines": lambda item: item.get("date"),
}
TARGETS = {"scalar": 0.98, "lists": 0.95, "deadlines": 0.92}


def norm(value: object) -> object:
    if value is None or isinstance(value, (int, float)):
        return value
    return " ".join(unicodedata.normalize("NFC", str(value)).split()).casefold()


def f1_counts(expected: list, got: list) -> tuple[int, int, int]:
    exp, out = Counter(expected), Counter(got)
    true_pos = sum((exp & out).values())
    return true_pos, sum(out.values()) - true_pos, sum(exp.values()) - true_pos


def f1(tp: int, fp: int, fn: int) -> float:
    if tp == fp == fn == 0:
        return 1.0
    return 2 * tp / (2 * tp + fp + fn)


def score(folder: Path, quiet: bool, first: int | None = None, last: int | None = None) -> dict:
    """Figures over the labelled documents of ``folder`` numbered ``first``..``last`` (all by default)."""
    scalar_hits: Counter = Counter()
    list_counts = {name: [0, 0, 0] for name in LISTS}
    docs = [p for p in sorted(folder.glob("*.json"))
            if (first is None or int(p.stem) >= first) and (last is None or int(p.stem) <= last)]
    for label_path in docs:
        text_path = label_path.with_suffix(".txt")
        if not text_path.exists():
            continue
        label = json.loads(label_path.read_text(encoding="utf-8"))
        result = parse_file(text_path)
        for field in SCALARS:
            if norm(label.get(field)) == norm(result.get(field)):
                scalar_hits[field] += 1
            elif not quiet:
                print(f"{label_path.stem} {field}: expected {label.get(field)!r} got {result.get(field)!r}")
        for name, keyfn in LISTS.items():
            exp = [keyfn(x) for x in label.get(name) or []]
            got = [keyfn(x) for x in result.get(name) or []]
            tp, fp, fn = f1_counts(exp, got)
            for i, n in enumerate((tp, fp, fn)):
                list_counts[name][i] += n
            if (fp or fn) and not quiet:
                missing = list((Counter(exp) - Counter(got)).elements())
                extra = list((Counter(got) - Counter(exp)).elements())
                print(f"{label_path.stem} {name}: missing {missing} extra {extra}")
    total = len(docs)
    report = {
        "documents": total,
        "scalar": {f: scalar_hits[f] / total for f in SCALARS},
        "lists": {n: f1(*c) for n, c in list_counts.items()},
    }
    report["scalar_mean"] = sum(report["scalar"].values()) / len(SCALARS)
    return report


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("folder", type=Path)
    parser.add_argument("--quiet", action="store_true", help="do not print mismatches")
    parser.add_argument("--json", action="store_true", help="print the figures as JSON")
    args = parser.parse_args()
    report = score(args.folder, args.quiet)
    if args.json:
        print(json.dumps(report, ensure_ascii=False, indent=2))
        return 0
    print(f"\n{report['documents']} documents in {args.folder}")
    for field, acc in report["scalar"].items():
        print(f"  {field:18s} {acc:6.3f}")
    print(f"  {'scalar mean':18s} {report['scalar_mean']:6.3f}   (target ≥ {TARGETS['scalar']})")
    for name, value in report["lists"].items():
        target = TARGETS["deadlines"] if name == "deadlines" else TARGETS["lists"]
        print(f"  {name:18s} F1 {value:6.3f}   (target ≥ {target})")
    return 0


if __name__ == "__main__":
    sys.exit(main())

#!/usr/bin/env python3
"""Score `dieuhanh.vanban` against a labelled folder (NNN.txt + NNN.json).

Usage: bench/score_corpus.py DIR [--quiet] [--json] [--first N] [--last N] [--parity even|odd]

Without --first/--last it prints 001-041, 042-078 and all documents in one run.

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


def score(folder: Path, quiet: bool, first: int | None = None, last: int | None = None,
          parity: str | None = None) -> dict:
    """Figures over the labelled documents of ``folder`` numbered ``first``..``last`` (all by default),
    optionally only the even or odd numbers (develop on one half, check on the other)."""
    scalar_hits: Counter = Counter()
    list_counts = {name: [0, 0, 0] for name in LISTS}
    docs = [p for p in sorted(folder.glob("*.json"))
            if (first is None or int(p.stem) >= first) and (last is None or int(p.stem) <= last)
            and (parity is None or int(p.stem) % 2 == (parity == "odd"))]
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


RANGES = (("001-041", 1, 41), ("042-078", 42, 78), ("all", None, None))


def _print_report(title: str, report: dict) -> None:
    print(f"\n{report['documents']} documents: {title}")
    for field, acc in report["scalar"].items():
        print(f"  {field:18s} {acc:6.3f}")
    print(f"  {'scalar mean':18s} {report['scalar_mean']:6.3f}   (target ≥ {TARGETS['scalar']})")
    for name, value in report["lists"].items():
        target = TARGETS["deadlines"] if name == "deadlines" else TARGETS["lists"]
        print(f"  {name:18s} F1 {value:6.3f}   (target ≥ {target})")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("folder", type=Path)
    parser.add_argument("--quiet", action="store_true", help="do not print mismatches")
    parser.add_argument("--json", action="store_true", help="print the figures as JSON")
    parser.add_argument("--first", type=int, help="first document number (default: the three ranges)")
    parser.add_argument("--last", type=int, help="last document number")
    parser.add_argument("--parity", choices=("even", "odd"), help="only even or odd document numbers")
    args = parser.parse_args()
    if args.first is not None or args.last is not None:
        ranges = ((f"{args.first or 1:03d}-{args.last or 999:03d}", args.first, args.last),)
    else:
        ranges = RANGES
    reports = {}
    for i, (title, first, last) in enumerate(ranges):
        quiet = args.quiet or i < len(ranges) - 1 and len(ranges) > 1  # mismatches once, with the widest range
        reports[title] = score(args.folder, quiet, first, last, args.parity)
    if args.json:
        print(json.dumps(reports, ensure_ascii=False, indent=2))
        return 0
    for title, report in reports.items():
        _print_report(f"{title}{' (' + args.parity + ')' if args.parity else ''} in {args.folder}", report)
    return 0


if __name__ == "__main__":
    sys.exit(main())

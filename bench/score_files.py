"""Score reading real files end to end (read → convert/OCR → parse) against their expected values.

    .venv/bin/python bench/score_files.py [tests/data/realfiles] [--only PATTERN]

For every file in ``expected.json``: the file must be read, and every stated value
found: number, symbol, date, urgency, doc_type, deadlines (the exact set of dated
deadlines when the README lists them, none when it says there are none); a field the
README calls handwritten must be reported in ``unreadable``, not guessed. Prints one
line per file (✓ found / ✗ missed, with what came out) and the totals.
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from dieuhanh.vanban import DocumentReadError, parse_file  # noqa: E402

FIELDS = ("number", "symbol", "date", "urgency", "doc_type", "deadlines")


def check(expected: dict, parsed: dict) -> list[tuple[str, bool, object, object]]:
    """(field, found, expected, got) for every value the README states."""
    checks = []
    for name in FIELDS:
        want = expected.get(name)
        if want is None:
            continue
        if name == "deadlines":
            got = sorted({d["date"] for d in parsed.get("deadlines") or []})
            checks.append((name, got == sorted(want), want, got))
        else:
            checks.append((name, parsed.get(name) == want, want, parsed.get(name)))
    for name in expected.get("unreadable", []):
        got = parsed.get("unreadable") or []
        checks.append((f"{name} unreadable", name in got and not parsed.get(name), "unreadable",
                       parsed.get(name) or got))
    return checks


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("folder", nargs="?", default="tests/data/realfiles")
    parser.add_argument("--only", default="", help="score only files whose name contains this")
    args = parser.parse_args()
    folder = Path(args.folder)
    expected = json.loads((folder / "expected.json").read_text(encoding="utf-8"))["files"]
    read = found = total = 0
    started = time.perf_counter()
    for item in expected:
        if args.only not in item["file"]:
            continue
        path = folder / item["file"]
        t0 = time.perf_counter()
        try:
            parsed = parse_file(path)
        except DocumentReadError as err:
            print(f"✗ {item['file']}: NOT READ ({err.code}: {err})")
            total += sum(1 for _ in check(item, {}))
            continue
        read += 1
        results = check(item, parsed)
        ok = sum(hit for _, hit, _, _ in results)
        found, total = found + ok, total + len(results)
        marks = "  ".join(f"{'✓' if hit else '✗'} {name}" + ("" if hit else f" (want {want!r}, got {got!r})")
                          for name, hit, want, got in results)
        print(f"{'✓' if ok == len(results) else '✗'} {item['file']} [{time.perf_counter() - t0:.1f} s, "
              f"{parsed['reading']['format']}{', OCR' if parsed['reading']['ocr'] else ''}]: {marks}")
    files = sum(1 for item in expected if args.only in item["file"])
    print(f"\nfiles read: {read}/{files}   expected values found: {found}/{total}   "
          f"time: {time.perf_counter() - started:.1f} s")
    return 0 if read == files and found == total else 1


if __name__ == "__main__":
    sys.exit(main())

"""Compare PDF text libraries on the files offices send: what each keeps, in what order, how fast.

    .venv/bin/python bench/pdf_libs.py [tests/data/realfiles] [--corpus N]

For each library: are the number and the day stamped at signing time in the text
("706/UBND-VP7", "ngày 04 tháng 11"), does the issuer's second line follow its first
(header reading order), and the time per file. ``--corpus N`` also lays out the first
N corpus documents as Decree 30 pages (header table, body) in DOCX, converts them with
LibreOffice to PDF, and scores how many header fields (number/symbol, date, issuer)
the parser finds from each library's text.

poppler (pdftotext, our reader) and pypdf are always there; pdfminer.six/pdfplumber
and PyMuPDF are measured when installed (``pip install pdfplumber pymupdf``; they are
not dependencies of dieuhanh).
"""

from __future__ import annotations

import argparse
import json
import re
import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from dieuhanh.vanban.parser import parse_text  # noqa: E402

SIGNED = {"13_706.pdf": ("706/UBND-VP7", "ngày 04 tháng 11", ("ỦY BAN NHÂN DÂN", "TỈNH NINH BÌNH")),
          "14_193.pdf": ("193/KH-UBND", "ngày 01 tháng 11", ("ỦY BAN NHÂN DÂN", "TỈNH NINH BÌNH"))}


def poppler_layout(path: Path) -> str:  # our reader: words with boxes, XY-cut reading order
    from dieuhanh.vanban.readers import read_path

    return read_path(path).text


def poppler_raw(path: Path) -> str:
    return subprocess.run(["pdftotext", "-layout", str(path), "-"], capture_output=True, check=True).stdout.decode()


def pypdf_text(path: Path) -> str:
    from pypdf import PdfReader

    return "\n".join(page.extract_text() or "" for page in PdfReader(path).pages)


def pdfplumber_text(path: Path) -> str:
    import pdfplumber

    with pdfplumber.open(path) as pdf:
        return "\n".join(page.extract_text() or "" for page in pdf.pages)


def pymupdf_text(path: Path) -> str:
    import pymupdf

    with pymupdf.open(path) as doc:
        return "\n".join(page.get_text("text", sort=True) for page in doc)


LIBRARIES = {"poppler + XY cut (ours)": poppler_layout, "poppler pdftotext -layout": poppler_raw,
             "pypdf 7": pypdf_text, "pdfplumber/pdfminer.six": pdfplumber_text, "PyMuPDF": pymupdf_text}


def _squash(text: str) -> str:
    return re.sub(r"\s+", " ", text)


def signed_files(folder: Path) -> None:
    print(f"{'library':28} {'file':12} {'number':>7} {'day':>5} {'issuer order':>13} {'ms':>7}")
    for label, extract in LIBRARIES.items():
        for name, (number, day, (first, second)) in SIGNED.items():
            try:
                started = time.perf_counter()
                text = extract(folder / name)
                ms = (time.perf_counter() - started) * 1000
            except ImportError:
                print(f"{label:28} (not installed)")
                break
            squashed = _squash(text).replace(" /", "/")
            lines = [line.strip() for line in text.splitlines()]
            ordered = first in lines and second in lines and lines.index(second) == lines.index(first) + 1
            print(f"{label:28} {name:12} {'yes' if number in squashed else 'NO':>7} "
                  f"{'yes' if day in squashed else 'NO':>5} {'yes' if ordered else 'no':>13} {ms:7.0f}")


def corpus_pdfs(count: int, work: Path) -> list[tuple[Path, dict]]:
    import docx

    corpus = sorted((Path("tests/data/corpus/dev")).glob("*.json"))[:count]
    made = []
    for label_path in corpus:
        label = json.loads(label_path.read_text(encoding="utf-8"))
        if not (label.get("number_symbol") and label.get("date") and label.get("issuer")):
            continue
        body = label_path.with_suffix(".txt").read_text(encoding="utf-8")
        document = docx.Document()
        table = document.add_table(rows=2, cols=2)
        table.cell(0, 0).text = label["issuer"]
        table.cell(0, 1).text = "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM\nĐộc lập - Tự do - Hạnh phúc"
        table.cell(1, 0).text = f"Số: {label['number_symbol']}"
        y, m, d = label["date"].split("-")
        table.cell(1, 1).text = f"{label.get('place') or 'Hà Nội'}, ngày {d} tháng {m} năm {y}"
        for line in body.splitlines()[4:60]:
            document.add_paragraph(line)
        target = work / f"{label_path.stem}.docx"
        document.save(target)
        made.append((target, label))
    subprocess.run(["soffice", f"-env:UserInstallation=file://{work}/profile", "--headless", "--convert-to", "pdf",
                    "--outdir", str(work), *[str(p) for p, _ in made]], capture_output=True, timeout=900)
    return [(p.with_suffix(".pdf"), label) for p, label in made if p.with_suffix(".pdf").exists()]


def corpus_scores(count: int) -> None:
    with tempfile.TemporaryDirectory() as tmp:
        pdfs = corpus_pdfs(count, Path(tmp))
        print(f"\n{len(pdfs)} corpus documents laid out as Decree 30 PDFs (LibreOffice):")
        print(f"{'library':28} {'number':>7} {'date':>6} {'issuer':>7} {'ms/doc':>7}")
        for label, extract in LIBRARIES.items():
            hits = [0, 0, 0]
            spent = 0.0
            try:
                for path, expected in pdfs:
                    started = time.perf_counter()
                    text = extract(path)
                    spent += time.perf_counter() - started
                    parsed = parse_text(text)
                    hits[0] += parsed["number_symbol"] == expected["number_symbol"]
                    hits[1] += parsed["date"] == expected["date"]
                    hits[2] += (parsed["issuer"] or "").upper() == expected["issuer"].upper()
            except ImportError:
                print(f"{label:28} (not installed)")
                continue
            n = max(len(pdfs), 1)
            print(f"{label:28} {hits[0] / n:7.2f} {hits[1] / n:6.2f} {hits[2] / n:7.2f} {spent / n * 1000:7.0f}")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("folder", nargs="?", default="tests/data/realfiles")
    parser.add_argument("--corpus", type=int, default=0, help="also score N corpus documents made into PDFs")
    args = parser.parse_args()
    signed_files(Path(args.folder))
    if args.corpus:
        corpus_scores(args.corpus)
    return 0


if __name__ == "__main__":
    sys.exit(main())

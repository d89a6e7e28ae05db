"""Rendering a signed draft to PDF in the worker — target ≤ 3 s per draft.

    .venv/bin/python bench/draft_render.py [--runs 5] [--paragraphs 40]
    DATABASE_URL=postgres://postgres@127.0.0.1:5432/dieuhanh .venv/bin/python bench/draft_render.py

Builds a fresh bench database (``benchdb``: an SQLite file under /tmp, or ``<DATABASE_URL>_bench``)
with a district, its Phòng Nội vụ, a specialist, the office head and the Phó Chủ tịch, the review
chain, and per run one Kế hoạch draft of ``--paragraphs`` body paragraphs (a few pages), submitted,
approved and signed. It then times what the worker does for each signed draft — claiming the
render job, building the Decree 30 DOCX, converting it with LibreOffice, storing the PDF
(``drafts.rendering.run_pending``) — and, as the floor of the same run, LibreOffice converting a
one-line DOCX (its start-up, which every conversion pays). Prints min / median / max of both.
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

from benchdb import prepare_database, setup_django  # noqa: E402  (bench/ is the script folder)

TARGET_S = 3.0
PARAGRAPH = ("Các cơ quan chuyên môn quận và Ủy ban nhân dân các phường tổng kết việc thực hiện Chương trình "
             "tổng thể cải cách hành chính nhà nước giai đoạn 2011-2020, đánh giá kết quả, tồn tại, hạn chế và "
             "đề xuất phương hướng, nhiệm vụ giai đoạn 2021-2030, gửi báo cáo về Phòng Nội vụ đúng thời hạn.")


def parse_args() -> argparse.Namespace:
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("--runs", type=int, default=5)
    p.add_argument("--paragraphs", type=int, default=40)
    p.add_argument("--sqlite", default="/tmp/dieuhanh-draft-bench.sqlite3", help="SQLite file (without DATABASE_URL)")
    p.add_argument("--reuse", action="store_true", help="keep an existing bench database")
    return p.parse_args()


def build(paragraphs: int, runs: int) -> list[int]:
    from dieuhanh.accounts.models import Role, User
    from dieuhanh.drafts import services
    from dieuhanh.orgs.models import Unit, UnitKind

    district, _ = Unit.objects.get_or_create(code="bench_quan", defaults={
        "name": "Ủy ban nhân dân quận Cái Răng", "kind": UnitKind.UBND_HUYEN, "place": "Cái Răng", "symbol": "UBND"})
    office, _ = Unit.objects.get_or_create(code="bench_noi_vu", defaults={
        "name": "Phòng Nội vụ quận Cái Răng", "kind": UnitKind.PHONG, "parent": district, "symbol": "NV"})

    def user(name: str, unit: Unit, role: str, first: str, last: str, position: str) -> User:
        found, _ = User.objects.get_or_create(username=name, defaults={
            "unit": unit, "role": role, "first_name": first, "last_name": last, "position": position})
        return found

    specialist = user("bench.cv", office, Role.CHUYEN_VIEN, "Trần Văn", "Bình", "Chuyên viên")
    head = user("bench.tp", office, Role.LANH_DAO_DON_VI, "Đặng Thị", "Lan", "Trưởng phòng Nội vụ")
    leader = user("bench.pct", district, Role.LANH_DAO_UBND, "Lê Văn", "Cường", "Phó Chủ tịch UBND quận")
    admin = user("bench.admin", district, Role.QUAN_TRI, "Quản", "trị", "Quản trị")
    services.set_chain(admin, office, [("Trưởng phòng", head), ("Lãnh đạo UBND quận", leader)])
    body = "\n".join(["I. MỤC ĐÍCH, YÊU CẦU"] + [f"{i + 1}. {PARAGRAPH}" for i in range(paragraphs)]) + "./."
    ids = []
    for run in range(runs):
        draft = services.create_draft(specialist, "Kế hoạch", {
            "subject": f"Tổng kết công tác cải cách hành chính giai đoạn 2011-2020 (lần {run + 1})", "body": body,
            "distribution": ["Sở Nội vụ thành phố", "Lưu: VT, NV"]})
        services.submit(specialist, draft)
        services.approve(head, draft)
        services.sign(leader, draft)
        ids.append(draft.pk)
    return ids


def floor_once() -> float:
    import docx

    from dieuhanh.drafts.rendering import docx_to_pdf_bytes

    with tempfile.TemporaryDirectory() as work:
        path = Path(work) / "mot-dong.docx"
        document = docx.Document()
        document.add_paragraph("Một dòng.")
        document.save(str(path))
        data = path.read_bytes()
    started = time.perf_counter()
    docx_to_pdf_bytes(data, "mot-dong")
    return time.perf_counter() - started


def main() -> int:
    args = parse_args()
    label = prepare_database(args)
    os.environ.setdefault("MEDIA_ROOT", tempfile.mkdtemp(prefix="dieuhanh-draft-bench-"))
    setup_django()
    from django.conf import settings

    from dieuhanh.drafts.models import Draft
    from dieuhanh.drafts.rendering import run_pending

    settings.MEDIA_ROOT = os.environ["MEDIA_ROOT"]
    ids = build(args.paragraphs, args.runs)
    timings, floors = [], []
    for pk in ids:
        floors.append(floor_once())
        started = time.perf_counter()
        rendered = run_pending("bench", limit=1)
        timings.append(time.perf_counter() - started)
        draft = Draft.objects.get(pk=pk)
        if rendered != 1 or not draft.pdf:
            print(f"draft {pk}: not rendered ({draft.get_pdf_state_display()} {draft.pdf_note})")
            return 1
    size = Draft.objects.get(pk=ids[0]).pdf.size
    print(f"{label}; {args.runs} signed drafts, Kế hoạch of {args.paragraphs} paragraphs (PDF {size / 1024:.0f} KiB)")
    print(f"worker render (claim + DOCX + LibreOffice + store): min {min(timings):.2f} s, "
          f"median {statistics.median(timings):.2f} s, max {max(timings):.2f} s — target ≤ {TARGET_S:.0f} s")
    print(f"floor (LibreOffice converting a one-line DOCX): min {min(floors):.2f} s, "
          f"median {statistics.median(floors):.2f} s, max {max(floors):.2f} s")
    print(f"os.getloadavg(): {', '.join(f'{x:.2f}' for x in os.getloadavg())} on {os.cpu_count()} CPUs")
    return 0 if statistics.median(timings) <= TARGET_S else 2


if __name__ == "__main__":
    sys.exit(main())

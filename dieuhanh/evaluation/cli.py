"""``dieuhanh export evaluation --round ID``: scores per unit per item, total, index, rank, band.

    dieuhanh export evaluation --round ID [--format json|csv|xlsx] [--out FILE]

JSON: one object per unit with its scores (item → points) and the ranking fields; CSV and
XLSX: one row per unit, one column per item of the round's criteria sets. Exit codes as the
other exports: 0 done; 2 unknown round or an output that cannot be written; 3 unexpected error.
"""

from __future__ import annotations

import argparse
from typing import Any

from dieuhanh.cli_export import FORMATS, _Refused, emit, guarded, refuse_binary_to_terminal

BASE_COLUMNS = [("rank", "Hạng"), ("group", "Nhóm"), ("unit_code", "Mã đơn vị"), ("unit", "Đơn vị"),
                ("self_total", "Điểm tự đánh giá"), ("total", "Tổng điểm"), ("max_points", "Điểm tối đa"),
                ("index", "Chỉ số (%)"), ("band", "Xếp loại"), ("flagged", "Cần lưu ý")]


def add_command(what: argparse._SubParsersAction) -> None:  # type: ignore[type-arg]
    cmd = what.add_parser("evaluation", help="kết quả đánh giá, xếp hạng CCHC (evaluation round results)",
                          description="Xuất điểm từng tiêu chí, tổng điểm, chỉ số, hạng và xếp loại của mỗi đơn vị.")
    cmd.add_argument("--round", required=True, metavar="SỐ", help="mã số đợt đánh giá (round id)")
    cmd.add_argument("--format", choices=FORMATS, default="json", help="json (mặc định), csv hoặc xlsx")
    cmd.add_argument("--out", metavar="TỆP", help="ghi vào tệp thay vì đầu ra chuẩn (write to FILE)")
    cmd.set_defaults(handler=cmd_export_evaluation)
    docs = what.add_parser(
        "commendation", help="văn bản khen thưởng: tờ trình, quyết định, giấy khen (DOCX, PDF)",
        description=("Văn bản của một đợt khen thưởng theo Nghị định 30: to-trinh (tờ trình kèm danh sách), "
                     "quyet-dinh (quyết định khen thưởng), giay-khen (giấy khen, mỗi trang một tập thể/cá nhân). "
                     "--pdf chuyển sang PDF bằng LibreOffice để in."))
    docs.add_argument("campaign", metavar="SỐ", help="mã số đợt khen thưởng (campaign id)")
    docs.add_argument("--kind", choices=("to-trinh", "quyet-dinh", "giay-khen"), default="quyet-dinh")
    docs.add_argument("--out", required=True, metavar="TỆP.docx", help="tệp DOCX")
    docs.add_argument("--pdf", metavar="TỆP.pdf", help="cũng ghi bản PDF (LibreOffice)")
    docs.set_defaults(handler=cmd_export_commendation, format="docx")


def round_rows(rnd: Any) -> tuple[list[dict[str, Any]], list[str]]:
    """One dict per participant, ranked within its group, and the item codes of the round."""
    from dieuhanh.evaluation.models import Score
    from dieuhanh.evaluation.ranking import full_ranking

    scores: dict[int, dict[str, str]] = {}
    codes: dict[str, None] = {}
    for pid, item, points in (Score.objects.filter(participant__round=rnd).order_by("participant_id", "id")
                              .values_list("participant_id", "item", "points").iterator(20000)):
        scores.setdefault(pid, {})[item] = str(points)
        codes[item] = None
    rows = []
    for row in full_ranking(rnd):
        p = row["participant"]
        rows.append({"rank": row["rank"], "group": p.group, "unit_code": p.unit.code, "unit": p.unit.name,
                     "self_total": str(p.self_total), "total": str(p.total), "max_points": str(p.version.max_points),
                     "index": str(p.index), "band": row["band"], "flagged": row["flagged"],
                     "scores": scores.get(p.pk, {})})
    return rows, list(codes)


def cmd_export_evaluation(args: argparse.Namespace) -> int:
    def work() -> None:
        refuse_binary_to_terminal(args)
        from dieuhanh.cli_server import _setup

        _setup()
        from dieuhanh.evaluation.models import Round

        try:
            pk = int(str(args.round).strip())
        except ValueError:
            raise _Refused(f"mã đợt đánh giá “{args.round}” phải là số (round id must be a number)") from None
        rnd = Round.objects.filter(pk=pk).first()
        if rnd is None:
            raise _Refused(f"không tìm thấy đợt đánh giá số {pk} (unknown round)")
        _write(args, *round_rows(rnd))

    return guarded(work)


def _write(args: argparse.Namespace, rows: list[dict[str, Any]], codes: list[str]) -> None:
    from dieuhanh.tasks.exports import write_csv, write_json, write_xlsx

    columns = BASE_COLUMNS + [(f"tc_{c}", f"TC {c}") for c in codes]
    flat = [{**{k: v for k, v in r.items() if k != "scores"}, **{f"tc_{c}": r["scores"].get(c, "") for c in codes}}
            for r in rows]

    def produce(fp: Any) -> None:
        if args.format == "json":
            write_json(rows, fp)
        elif args.format == "csv":
            write_csv(flat, fp, columns)
        else:
            write_xlsx(flat, fp, "Xếp hạng", columns)

    emit(args, produce)


def cmd_export_commendation(args: argparse.Namespace) -> int:
    def work() -> None:
        import shutil
        import tempfile
        from pathlib import Path

        from dieuhanh.cli_export import check_target, write_file
        from dieuhanh.cli_server import _setup

        _setup()
        from dieuhanh.evaluation.documents_docx import OUTPUTS
        from dieuhanh.evaluation.models import Campaign
        from dieuhanh.reports.pdf import PdfConversionError, docx_to_pdf

        try:
            campaign = Campaign.objects.select_related("round__organiser_unit__parent").get(pk=int(args.campaign))
        except (ValueError, Campaign.DoesNotExist):
            raise _Refused(f"không tìm thấy đợt khen thưởng số “{args.campaign}” (unknown campaign)") from None
        content = OUTPUTS[args.kind][0](campaign)
        target = check_target(args.out)
        write_file(target, lambda fp: fp.write(content))
        if args.pdf:
            pdf_target = check_target(args.pdf)
            with tempfile.TemporaryDirectory(prefix="dieuhanh-khen-") as folder:
                try:
                    made = docx_to_pdf(target, Path(folder))
                except PdfConversionError as err:
                    raise _Refused(str(err)) from None
                shutil.move(str(made), pdf_target)

    return guarded(work)

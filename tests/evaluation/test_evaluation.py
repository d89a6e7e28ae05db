"""Evaluation rounds on the test tree: criteria sets as data, pre-filled scores from tracked
work, the self-assessment → appraisal → explanation → second appraisal cycle, survey points,
ranking, permissions, commendation outputs, the export and the API."""

from __future__ import annotations

import io
import json
import re
import subprocess
from datetime import date
from decimal import Decimal

import pytest
import time_machine
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from docx import Document as Docx

from dieuhanh.accounts.models import AuditLog
from dieuhanh.evaluation import commendation, criteria, documents_docx, ranking, services, workflow
from dieuhanh.evaluation.models import Adjustment, CriteriaSet, Evidence, Participant, Score, Stage
from dieuhanh.tasks.models import Assignment, Status, Task
from tests.evaluation.factories import open_2020_round

pytestmark = pytest.mark.django_db
SELF_DAY, APPRAISAL_DAY, LATE_DAY = date(2021, 1, 10), date(2021, 1, 20), date(2021, 3, 1)
SMALL = """
code: thu-nghiem
title: Bộ thử nghiệm
unit_group: phuong
valid_from: 2020-01-01
areas:
  - code: "1"
    title: Chỉ đạo điều hành
    max: 10
    criteria:
      - code: "1.1"
        title: Kế hoạch
        items:
          - {code: "1.1.1", title: Ban hành kế hoạch, max: 4}
          - {code: "1.1.2", title: Nhiệm vụ đúng hạn, max: 6, method: computed, source: tasks_on_time}
  - code: "9"
    title: Điểm thưởng
    kind: bonus
    cap: 2
    criteria:
      - code: "9.1"
        title: Sáng kiến
        items:
          - {code: "9.1.1", title: Sáng kiến được công nhận, max: 3}
"""


def tracked_tasks(units, actors) -> None:  # type: ignore[no-untyped-def]
    """Lê Bình: 4 assignments due in 2020 (2 on time, 1 late, 1 still open at the cut-off)."""
    def assign(title: str, due: date, status: str, completed: date | None) -> None:
        task = Task.objects.create(title=title, assigned_by_unit=units["noi_vu"], assigned_by=actors["district_specialist"])
        Assignment.objects.create(task=task, unit=units["le_binh"], status=status, due_on=due, original_due_on=due,
                                  completed_on=completed)

    assign("Rà soát thủ tục hành chính", date(2020, 4, 30), Status.DONE, date(2020, 4, 28))
    assign("Tuyên truyền cải cách hành chính", date(2020, 6, 30), Status.DONE, date(2020, 6, 30))
    assign("Báo cáo một cửa", date(2020, 9, 30), Status.DONE, date(2020, 10, 5))
    assign("Số hóa hồ sơ", date(2020, 11, 30), Status.IN_PROGRESS, None)


# --- criteria sets --------------------------------------------------------------------------------

def test_default_sets_load_and_say_they_are_assumptions():
    versions = services.load_defaults()
    assert [v.criteria_set.unit_group for v in versions] == ["phong", "phuong", "quan"]
    for v in versions:
        assert v.max_points == 100 and "GIẢ ĐỊNH" in v.tree().assumption
    assert services.load_defaults()[0].number == 1  # same content again: no new version


@pytest.mark.parametrize("change, message", [
    (lambda t: t.replace("max: 4}", "}"), "Tiêu chí thành phần 1.1.1: thiếu điểm tối đa (max)."),
    (lambda t: t.replace("max: 6,", "max: 7,"), "vượt điểm tối đa của lĩnh vực (10)"),
    (lambda t: t.replace('code: "9.1.1"', 'code: "1.1.1"'), "xuất hiện ở hai lĩnh vực (1 và 9)"),
    (lambda t: t.replace("areas:\n", "x: &a [*a]\nareas:\n"), "vòng lặp"),
    (lambda t: t.replace("cap: 2", "cap: -1"), "mức trần (cap)"),
    (lambda t: t.replace("source: tasks_on_time", "source: doan_bua"), "chấm tự động cần nguồn"),
])
def test_bad_criteria_yaml_is_refused_with_a_message_and_nothing_saved(actors, change, message):
    with pytest.raises(ValidationError) as err:
        services.import_set(actors["district_specialist"], change(SMALL))
    assert any(message in m for m in err.value.messages), err.value.messages
    assert not CriteriaSet.objects.exists()


def test_import_versions_and_yaml_round_trip(actors):
    v1 = services.import_set(actors["district_specialist"], SMALL)
    tree = v1.tree()
    assert tree.max_points == 10 and [i.code for i in tree.items] == ["1.1.1", "1.1.2", "9.1.1"]
    assert criteria.parse(tree.to_yaml()).to_dict() == tree.to_dict()
    v2 = services.edit_max_points(actors["district_specialist"], v1, {"1.1.1": "3,5"})
    assert v2.number == 2 and v2.tree().item("1.1.1").max == Decimal("3.5")
    with pytest.raises(ValidationError, match="vượt"):
        services.edit_max_points(actors["district_specialist"], v2, {"1.1.1": "9"})
    with pytest.raises(ValidationError, match="dùng chung hoặc của đơn vị khác"):
        services.import_set(actors["ward_chairman"], SMALL)


# --- pre-filled values and the cycle -------------------------------------------------------------

def test_prefilled_tasks_rate_links_its_rows_and_the_unit_only_explains(units, actors):
    tracked_tasks(units, actors)
    rnd = open_2020_round(units, actors)
    p = rnd.participants.get(unit=units["le_binh"])
    score = p.scores.get(item="1.4.1")  # tasks_on_time, 2.5 points in the ward set
    assert score.computed_detail["counted"] == 4 and score.computed_detail["good"] == 2
    assert score.computed == Decimal("1.25") and score.points == Decimal("1.25")
    linked = {row[1] for row in score.computed_detail["rows"]}
    assert linked == set(Assignment.objects.filter(unit=units["le_binh"]).values_list("id", flat=True))
    with time_machine.travel(SELF_DAY):
        workflow.self_score(actors["ward_chairman"], p, {"1.4.1": {"points": "2,5", "note": "Một việc trễ do dịch"}})
    score.refresh_from_db()
    assert score.points == Decimal("1.25") and score.self_note == "Một việc trễ do dịch"


def test_cycle_self_score_appraisal_explanation_second_appraisal(units, actors):
    rnd = open_2020_round(units, actors)
    p = rnd.participants.get(unit=units["le_binh"])
    chairman, council = actors["ward_chairman"], actors["noi_vu_head"]
    with time_machine.travel(SELF_DAY):
        workflow.self_score(chairman, p, {"1.3.1": {"points": "2,5"}, "4.1.1": {"points": "3"}})
        with pytest.raises(ValidationError, match="từ 0 đến 2.50"):
            workflow.self_score(chairman, p, {"1.3.1": {"points": "9"}})
        with pytest.raises(PermissionDenied):
            workflow.self_score(actors["ward_clerk"], p, {"1.3.1": {"points": "1"}})
        upload = SimpleUploadedFile("ke-hoach.pdf", b"%PDF-1.4 ke hoach", "application/pdf")
        workflow.add_evidence(chairman, p.scores.get(item="1.3.1"), upload=upload)
    with time_machine.travel(LATE_DAY):
        with pytest.raises(ValidationError, match="quá hạn tự đánh giá"):
            workflow.self_score(chairman, p, {"1.3.1": {"points": "1"}})
    p.refresh_from_db()
    assert p.total == Decimal("5.50") and Evidence.objects.filter(score__participant=p).count() == 1
    workflow.advance(actors["district_specialist"], rnd)
    p = Participant.objects.get(pk=p.pk)  # a fresh load, as each request does
    with pytest.raises(ValidationError, match="phải có lý do"):
        workflow.appraise(council, p, {"1.3.1": {"points": "1,5", "reason": ""}})
    assert not Adjustment.objects.exists()
    with pytest.raises(PermissionDenied):
        workflow.appraise(chairman, p, {"1.3.1": {"points": "1,5", "reason": "x"}})
    workflow.appraise(council, p, {"1.3.1": {"points": "1,5", "reason": "Thiếu kế hoạch tuyên truyền"}})
    adjustment = Adjustment.objects.get()
    assert (adjustment.before, adjustment.after) == (Decimal("2.50"), Decimal("1.50"))
    assert AuditLog.objects.filter(object_type="evaluation.score", note__contains="Thiếu kế hoạch").exists()
    workflow.advance(actors["district_specialist"], rnd)
    with time_machine.travel(date(2021, 2, 1)):
        workflow.explain(chairman, Participant.objects.get(pk=p.pk), {"1.3.1": "Đã ban hành kế hoạch số 12/KH-UBND"})
    workflow.advance(actors["district_specialist"], rnd)
    p = Participant.objects.get(pk=p.pk)
    workflow.appraise(council, p, {"1.3.1": {"points": "2", "reason": "Chấp nhận một phần giải trình"}})
    workflow.advance(actors["district_specialist"], rnd)
    p.refresh_from_db()
    assert rnd.stage == Stage.PUBLISHED and p.total == Decimal("5.00") and p.index == Decimal("5.00")
    with pytest.raises(ValidationError):
        workflow.advance(actors["district_specialist"], rnd)


def test_bonus_is_capped(units, actors):
    services.import_set(actors["district_specialist"], SMALL)
    rnd = services.open_round(actors["district_specialist"], title="Thử", year=2020, units=[units["le_binh"]],
                              self_deadline=date(2021, 1, 15), explain_deadline=date(2021, 2, 1),
                              cutoff_on=date(2020, 12, 31))
    p = rnd.participants.get()
    with time_machine.travel(SELF_DAY):
        workflow.self_score(actors["ward_chairman"], p, {"1.1.1": {"points": "4"}, "1.1.2": {"points": "6"},
                                                        "9.1.1": {"points": "3"}})
    p.refresh_from_db()
    assert p.total == Decimal("12.00") and p.index == Decimal("120.00")


# --- survey CSV -----------------------------------------------------------------------------------

@pytest.mark.parametrize("text, message", [
    ("ma_don_vi,tieu_chi,diem\np_tan_an,8.1.1,20\n", "“p_tan_an” không thuộc đợt đánh giá"),
    ("ma_don_vi,tieu_chi,diem\np_le_binh,8.1.1,20,5\n", "dấu phẩy thập phân"),
    ("ma_don_vi,tieu_chi,diem\np_le_binh,8.1.1,40\n", "từ 0 đến 30"),
    ("don_vi;diem\n", "Dòng đầu"),
])
def test_bad_survey_csv_says_why_and_saves_nothing(units, actors, text, message):
    rnd = open_2020_round(units, actors)
    with pytest.raises(ValidationError) as err:
        workflow.import_survey(actors["district_specialist"], rnd, text.encode())
    assert any(message in m for m in err.value.messages), err.value.messages
    assert not Score.objects.filter(survey__isnull=False).exists()


def test_survey_csv_with_semicolons_takes_decimal_commas(units, actors):
    rnd = open_2020_round(units, actors)
    n = workflow.import_survey(actors["district_specialist"], rnd,
                               "ma_don_vi;tieu_chi;diem\np_le_binh;8.1.1;25,5\np_ba_lang;8.1.1;20\n".encode())
    assert n == 2
    p = rnd.participants.get(unit=units["le_binh"])
    assert p.total == Decimal("25.50") and p.scores.get(item="8.1.1").points == Decimal("25.50")


# --- ranking, bands, flags, charts --------------------------------------------------------------

def test_ranking_bands_and_bottom_flag(units, actors):
    rnd = open_2020_round(units, actors)
    workflow.import_survey(actors["district_specialist"], rnd,
                           b"ma_don_vi,tieu_chi,diem\np_le_binh,8.1.1,30\np_ba_lang,8.1.1,10\n")
    rows = [r for r in ranking.full_ranking(rnd) if r["group"] == "phuong"]
    # Ba Láng is last of its group; Lê Bình (30%) is in the lowest band, Yếu: both are flagged.
    assert [(r["participant"].unit.code, r["rank"], r["band"], r["flagged"]) for r in rows] == [
        ("p_le_binh", 1, "Yếu", True), ("p_ba_lang", 2, "Yếu", True)]
    rnd.bands = [{"name": "Đạt", "min_pct": 20}, {"name": "Chưa đạt", "min_pct": 0}]
    rows = [r for r in ranking.full_ranking(rnd) if r["group"] == "phuong"]
    assert [(r["band"], r["flagged"]) for r in rows] == [("Đạt", False), ("Chưa đạt", True)]
    from dieuhanh.evaluation.models import DEFAULT_BANDS
    assert ranking.band_of(Decimal("85"), DEFAULT_BANDS) == "Tốt" and ranking.band_of(Decimal("95"), DEFAULT_BANDS) == "Xuất sắc"
    svg = ranking.bar_chart("Thử <b>", ["A & B"], [("2020", [55.5])])
    assert svg.startswith("<svg") and "A &amp; B" in svg and "<b>" not in svg and "55,5%" in svg


# --- who sees what --------------------------------------------------------------------------------

def test_a_ward_sees_only_its_own_scores_until_published(units, actors, login):
    rnd = open_2020_round(units, actors)
    own, other = (rnd.participants.get(unit=units[c]) for c in ("le_binh", "ba_lang"))
    client = login(actors["ward_chairman"])
    assert client.get(f"/danh-gia/don-vi/{own.pk}/").status_code == 200
    assert client.get(f"/danh-gia/don-vi/{other.pk}/").status_code == 404
    assert client.get(f"/danh-gia/{rnd.pk}/xep-hang/").status_code == 403
    assert "Ba Láng" not in client.get(f"/danh-gia/{rnd.pk}/").content.decode()
    assert login(actors["outsider"]).get(f"/danh-gia/{rnd.pk}/").status_code == 404
    for _ in range(4):
        workflow.advance(actors["district_specialist"], rnd)
    client = login(actors["ward_chairman"])
    assert client.get(f"/danh-gia/don-vi/{other.pk}/").status_code == 200
    page = client.get(f"/danh-gia/{rnd.pk}/xep-hang/?nhom=phuong").content.decode()
    assert "Ba Láng" in page and "<svg" in page


def test_views_save_self_scores_and_refuse_readers(units, actors, login):
    rnd = open_2020_round(units, actors)
    p = rnd.participants.get(unit=units["le_binh"])
    with time_machine.travel(SELF_DAY):
        response = login(actors["ward_clerk"]).post(f"/danh-gia/don-vi/{p.pk}/", {"hanh_dong": "tu_cham",
                                                                                 "points_1.3.1": "2"})
        assert response.status_code == 403
        response = login(actors["ward_chairman"]).post(f"/danh-gia/don-vi/{p.pk}/", {"hanh_dong": "tu_cham",
                                                                                    "points_1.3.1": "2"})
        assert response.status_code == 302
    assert p.scores.get(item="1.3.1").points == 2


# --- commendation, export, API --------------------------------------------------------------------

def published_round(units, actors):  # type: ignore[no-untyped-def]
    tracked_tasks(units, actors)
    rnd = open_2020_round(units, actors)
    workflow.import_survey(actors["district_specialist"], rnd,
                           b"ma_don_vi,tieu_chi,diem\np_le_binh,8.1.1,30\np_ba_lang,8.1.1,28\n")
    for _ in range(4):
        workflow.advance(actors["district_specialist"], rnd)
    return rnd


def test_shortlist_has_reasons_and_outputs_render(units, actors, tmp_path):
    rnd = published_round(units, actors)
    campaign = commendation.create_campaign(actors["district_specialist"], rnd, {
        "title": "Tổng kết CCHC giai đoạn 2011-2020", "decided_on": date(2020, 12, 30), "min_index": Decimal(20),
        "min_on_time": Decimal(0), "quota_collectives": 2, "quota_individuals": 2})
    names = [n.name for n in campaign.nominees.all()]
    # Lê Bình has an assignment still open past its due date at the cut-off: not shortlisted.
    assert "Ủy ban nhân dân phường Ba Láng" in names and "Ủy ban nhân dân phường Lê Bình" not in names
    ba_lang = campaign.nominees.get(name="Ủy ban nhân dân phường Ba Láng")
    assert any("Chỉ số CCHC năm 2020" in r for r in ba_lang.reasons)
    commendation.record_vote(actors["district_specialist"], campaign, [ba_lang.pk], 7, 9, "Hội đồng họp ngày 28/12/2020")
    text = "\n".join(p.text for p in Docx(io.BytesIO(documents_docx.quyet_dinh(campaign))).paragraphs)
    assert "Nghị định số 91/2017/NĐ-CP" in text and "QUYẾT ĐỊNH" in text
    assert "Nghị định số 98/2023/NĐ-CP" in "\n".join(commendation.legal_basis(date(2024, 3, 1)))
    tables = Docx(io.BytesIO(documents_docx.to_trinh(campaign))).tables
    assert any("Ủy ban nhân dân phường Ba Láng" in c.text for t in tables for r in t.rows for c in r.cells)
    certificate = Docx(io.BytesIO(documents_docx.giay_khen(campaign)))
    assert "GIẤY KHEN" in [p.text for p in certificate.paragraphs]


def test_export_command_prints_ranked_units(units, actors, capsys):
    from dieuhanh.evaluation.cli import round_rows

    rnd = published_round(units, actors)
    rows, codes = round_rows(rnd)
    assert [(r["unit_code"], r["rank"]) for r in rows if r["group"] == "phuong"] == [("p_le_binh", 1), ("p_ba_lang", 2)]
    assert "8.1.1" in codes and rows[0]["scores"]


def test_api_round_results(units, actors, login):
    rnd = published_round(units, actors)
    data = login(actors["ward_chairman"]).get(f"/api/evaluation/rounds/{rnd.pk}").json()
    assert {u["unit_code"] for u in data["units"]} == {"vp_hdnd_ubnd", "p_le_binh", "p_ba_lang"}
    assert login(actors["outsider"]).get(f"/api/evaluation/rounds/{rnd.pk}").status_code == 404


def test_certificates_print_as_pdf_one_page_each(units, actors, tmp_path):
    import os
    import shutil

    from dieuhanh.cli import main
    from dieuhanh.reports.pdf import find_soffice

    if find_soffice() is None or not shutil.which("pdfinfo"):
        if os.environ.get("CI", "").lower() == "true":
            pytest.fail("LibreOffice (soffice) and poppler-utils are required in CI")
        pytest.skip("LibreOffice (soffice) or pdfinfo not installed")
    rnd = published_round(units, actors)
    campaign = commendation.create_campaign(actors["district_specialist"], rnd, {
        "title": "Tổng kết CCHC giai đoạn 2011-2020", "decided_on": date(2020, 12, 30), "min_index": Decimal(0),
        "min_on_time": Decimal(0), "quota_collectives": 3, "quota_individuals": 0})
    nominees = campaign.nominees.count()
    assert nominees >= 1
    out, pdf = tmp_path / "giay-khen.docx", tmp_path / "giay-khen.pdf"
    assert main(["export", "commendation", str(campaign.pk), "--kind", "giay-khen", "--out", str(out),
                 "--pdf", str(pdf)]) == 0
    info = subprocess.run(["pdfinfo", str(pdf)], capture_output=True, text=True, check=True).stdout
    assert re.search(rf"^Pages:\s+{nominees}$", info, re.M), info
    text = subprocess.run(["pdftotext", str(pdf), "-"], capture_output=True, text=True, check=True).stdout
    assert "GIẤY KHEN" in text and "Ba Láng" in text
    assert main(["export", "commendation", "999", "--out", str(out)]) == 2


def test_export_command_json_and_unknown_round(units, actors, capsys):
    from dieuhanh.cli import main

    rnd = published_round(units, actors)
    assert main(["export", "evaluation", "--round", str(rnd.pk), "--format", "json"]) == 0
    rows = json.loads(capsys.readouterr().out)
    assert [r["unit_code"] for r in rows] == ["vp_hdnd_ubnd", "p_le_binh", "p_ba_lang"]
    assert main(["export", "evaluation", "--round", "999"]) == 2
    assert "không tìm thấy đợt đánh giá" in capsys.readouterr().err

"""The demo's evaluation story: the 2020 round of Cái Răng's 12 offices and 7 wards, pre-filled from the
demo's tasks and reports, one appraisal change explained, the ranking, the shortlist, the Quyết định."""

from __future__ import annotations

import io
import json
import subprocess
import sys

import pytest
from django.core.management import call_command
from docx import Document as Docx

from dieuhanh.evaluation import documents_docx
from dieuhanh.evaluation.models import Adjustment, Evidence, Round, Stage
from dieuhanh.evaluation.ranking import full_ranking
from dieuhanh.web import demo_evaluation

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _settings(settings):  # type: ignore[no-untyped-def]
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    settings.TASKS_BEFORE_INCLUSIVE = False


def test_the_evaluation_story():
    out = io.StringIO()
    call_command("load_demo", stdout=out)
    assert "evaluation story" in out.getvalue()
    rnd = Round.objects.get(title=demo_evaluation.TITLE)
    assert rnd.stage == Stage.PUBLISHED
    rows = full_ranking(rnd)
    assert len(rows) == 19
    assert sorted({r["group"] for r in rows}) == ["phong", "phuong"]
    assert sum(r["group"] == "phuong" for r in rows) == 7
    # Pre-filled from the demo's tracked work: tasks of 313/UBND and the CCHC summary report.
    le_binh = rnd.participants.get(unit__code="p_le_binh")
    tasks = le_binh.scores.get(item="1.4.1").computed_detail
    reports = le_binh.scores.get(item="1.2.1").computed_detail
    assert tasks["counted"] > 0 and reports["counted"] == 1
    plan = le_binh.scores.get(item="1.1.1").computed_detail
    assert plan["counted"] > 0  # the tasks issued from 313/UBND, the round's CCHC plan
    adjustment = Adjustment.objects.get(stage=Stage.APPRAISAL)
    assert adjustment.score.explanation and Adjustment.objects.filter(stage=Stage.SECOND).exists()
    assert Evidence.objects.filter(document__number_symbol="313/UBND").exists()
    campaign = rnd.campaigns.get()
    assert campaign.nominees.filter(approved=True).exists()
    assert all(n.reasons for n in campaign.nominees.all())
    text = "\n".join(p.text for p in Docx(io.BytesIO(documents_docx.quyet_dinh(campaign))).paragraphs)
    assert "Nghị định số 91/2017/NĐ-CP" in text and "Tặng Giấy khen" in text
    again = io.StringIO()
    call_command("load_demo", stdout=again)
    assert Round.objects.filter(title=demo_evaluation.TITLE).count() == 1

"""Proposals from a registered document: the seed (Công văn 313/UBND of quận Cái Răng)."""

from __future__ import annotations

from datetime import date

from dieuhanh.documents.models import Document
from dieuhanh.orgs.models import Unit
from dieuhanh.tasks.proposals import Proposal, highlight, locate, merge, propose_tasks
from tests.tasks.test_services import expected_fan_out  # noqa: F401
from tests.tasks.test_services import fast_password_hasher  # noqa: F401
from tests.tasks.test_services import frozen_today  # noqa: F401
from tests.tasks.test_services import media_root  # noqa: F401
from tests.tasks.test_services import seed_document  # noqa: F401
from tests.tasks.test_services import world  # noqa: F401


def test_seed_proposes_plan_29_for_every_office_and_ward(seed_document, world) -> None:  # type: ignore[no-untyped-def]
    found = propose_tasks(seed_document)
    assert len(found) == 3
    plan, build, report = found
    assert "Kế hoạch số 29/KH-UBND" in plan.title
    assert set(plan.lead_unit_ids) == expected_fan_out()
    assert plan.due_on is None and not plan.unresolved
    noi_vu = Unit.objects.get(code="phong_noi_vu").pk
    assert build.lead_unit_ids == [noi_vu] and report.lead_unit_ids == [noi_vu]
    assert build.due_on == date(2020, 4, 9)  # "trước ngày 10 tháng 4": the day before
    assert build.deadline_phrase == "trước ngày 10 tháng 4 năm 2020"
    assert report.due_on == date(2020, 4, 30)  # "trước ngày 01 tháng 5"
    assert "báo cáo tổng kết" in report.title


def test_seed_sentences_are_located_in_the_body(seed_document) -> None:  # type: ignore[no-untyped-def]
    body = seed_document.body
    for p in propose_tasks(seed_document):
        assert p.spans
        start, end = p.spans[0]
        assert body[start:end] == p.sentence
    plan = propose_tasks(seed_document)[0]
    assert len(plan.spans) == 2  # the "Nhận được Công văn này …" call joined the first one


def test_reparses_the_body_when_the_parse_is_missing(seed_document) -> None:  # type: ignore[no-untyped-def]
    Document.objects.filter(pk=seed_document.pk).update(parsed={})
    seed_document.refresh_from_db()
    found = propose_tasks(seed_document)
    assert [p.due_on for p in found] == [None, date(2020, 4, 9), date(2020, 4, 30)]


def test_units_of_the_document_date_not_today(seed_document) -> None:  # type: ignore[no-untyped-def]
    plan = propose_tasks(seed_document)[0]
    units = Unit.objects.filter(pk__in=plan.lead_unit_ids)
    assert all(u.in_force_on(date(2020, 3, 2)) for u in units)
    assert not units.filter(code__endswith="_2025").exists()


def test_no_obligation_no_proposal(seed_document) -> None:  # type: ignore[no-untyped-def]
    seed_document.parsed = {"tasks": []}
    assert propose_tasks(seed_document) == []


def test_merge_keeps_different_dated_obligations_apart() -> None:
    a = Proposal("Làm A", [1], due_on=date(2020, 1, 2))
    b = Proposal("Làm B", [1], due_on=date(2020, 1, 3))
    c = Proposal("Làm A", [1], due_on=date(2020, 1, 2))
    assert merge([a, b, c]) == [a, b]


def test_merge_attaches_a_deadline_only_sentence_to_the_obligation_before() -> None:
    a = Proposal("Xây dựng kế hoạch", [1], spans=[(0, 5)])
    b = Proposal("Thời gian tổng kết", [1], due_on=date(2020, 4, 9), deadline_phrase="trước ngày 10", spans=[(6, 9)])
    out = merge([a, b])
    assert out == [a] and a.due_on == date(2020, 4, 9) and a.spans == [(0, 5), (6, 9)]


def test_highlight_and_locate() -> None:
    body = "Một. Giao A làm X. Hai."
    at = locate(body, "Giao A làm X.", [999, 1000])
    assert at == (5, 18)
    assert locate("Giao A\nlàm X.", "Giao A làm X.") == (0, 13)
    assert highlight(body, [at, (6, 10)]) == [("Một. ", False), ("Giao A làm X.", True), (" Hai.", False)]

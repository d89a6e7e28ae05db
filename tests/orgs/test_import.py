"""Importing the packaged tree: counts, the 2020 and 2026 structures, successions, audit."""

from __future__ import annotations

from collections import Counter
from datetime import date

import pytest

from dieuhanh.accounts.models import AuditAction, AuditLog
from dieuhanh.orgs.models import Succession, Unit, UnitKind
from dieuhanh.orgs.services import import_units, load_default, units_in_force

pytestmark = pytest.mark.django_db

DAY_2020 = date(2020, 3, 2)  # the seed dispatch 313/UBND of quận Cái Răng
DAY_2026 = date(2026, 1, 15)
OLD_WARDS = {"p_le_binh", "p_thuong_thanh", "p_ba_lang", "p_hung_thanh", "p_phu_thu", "p_tan_phu", "p_hung_phu"}


def test_packaged_file_counts_per_kind(cantho):
    assert len(cantho) == 50
    assert Counter(u.kind for u in cantho.values()) == {
        UnitKind.SO: 19, UnitKind.PHONG: 13, UnitKind.UBND_XA: 9, UnitKind.VAN_PHONG: 3,
        UnitKind.BO_PHAN: 3, UnitKind.UBND_TINH: 2, UnitKind.UBND_HUYEN: 1}


def test_2020_has_the_district_and_its_seven_wards(cantho):
    live = {u.code: u for u in units_in_force(DAY_2020)}
    wards = {c for c, u in live.items() if u.kind == UnitKind.UBND_XA}
    assert wards == OLD_WARDS
    assert all(live[c].parent.code == "ubnd_q_cairang" for c in wards)
    assert "ubnd_q_cairang" in live and "cantho_city_2025" not in live
    assert live["ubnd_tp_cantho"].e_id == "000.00.00.H13"


def test_2026_has_the_two_merged_wards_and_no_district(cantho):
    live = {u.code: u for u in units_in_force(DAY_2026)}
    wards = {c for c, u in live.items() if u.kind == UnitKind.UBND_XA}
    assert wards == {"p_cai_rang_2025", "p_hung_phu_2025"}
    assert {live[c].name for c in wards} == {"Ủy ban nhân dân phường Cái Răng", "Ủy ban nhân dân phường Hưng Phú"}
    assert not any(u.kind == UnitKind.UBND_HUYEN for u in live.values())
    assert "ubnd_q_cairang" not in live and "phong_noi_vu" not in live
    assert live["p_cai_rang_2025"].parent.code == "cantho_city_2025"


def test_validity_is_inclusive_on_the_reform_days(cantho):
    assert "ubnd_q_cairang" in {u.code for u in units_in_force(date(2025, 6, 30))}
    assert "ubnd_q_cairang" not in {u.code for u in units_in_force(date(2025, 7, 1))}
    assert "p_cai_rang_2025" in {u.code for u in units_in_force(date(2025, 7, 1))}


def test_succession_links(cantho):
    links = {(s.predecessor.code, s.successor.code): s
             for s in Succession.objects.select_related("predecessor", "successor")}
    into_cai_rang = {p for p, s in links if s == "p_cai_rang_2025"}
    into_hung_phu = {p for p, s in links if s == "p_hung_phu_2025"}
    assert into_cai_rang == {"p_le_binh", "p_thuong_thanh", "p_ba_lang", "p_hung_thanh"}
    assert into_hung_phu == {"p_phu_thu", "p_tan_phu", "p_hung_phu"}
    assert links["p_le_binh", "p_cai_rang_2025"].kind == "merged"
    assert links["p_le_binh", "p_cai_rang_2025"].on == date(2025, 7, 1)
    assert ("ubnd_tp_cantho", "cantho_city_2025") in links
    assert ("snv_ct", "so_noi_vu_2025") in links
    assert len(links) == 13


def test_one_audit_row_per_created_unit(cantho):
    rows = AuditLog.objects.filter(object_type="orgs.unit", action=AuditAction.CREATE)
    assert rows.count() == 50
    ward = rows.get(object_id=str(cantho["p_le_binh"].pk))
    assert ward.unit_id == cantho["p_le_binh"].pk
    assert ward.after["successors"] == [["p_cai_rang_2025", "merged", "2025-07-01"]]


def test_reimport_changes_nothing_and_writes_no_audit(cantho):
    before = AuditLog.objects.count()
    result = load_default()
    assert result.ok and result.unchanged and not result.created and not result.updated
    assert AuditLog.objects.count() == before


def test_update_by_code_audits_before_and_after(cantho, units):
    rows = [{"code": "p_le_binh", "name": "Ủy ban nhân dân phường Lê Bình", "kind": "ubnd_xa",
             "parent": "ubnd_q_cairang", "valid_from": "01/01/2004", "valid_to": "30/06/2025",
             "symbol": "UBND", "successors": "p_hung_phu_2025 merged 01/07/2025"}]
    result = import_units(rows, actor=None)
    assert result.updated == ["p_le_binh"], result.errors
    ward = Unit.objects.get(code="p_le_binh")
    assert [s.successor.code for s in ward.successions_out.all()] == ["p_hung_phu_2025"]
    log = AuditLog.objects.filter(action=AuditAction.UPDATE, object_id=str(ward.pk)).get()
    assert log.before["successors"][0][0] == "p_cai_rang_2025"
    assert log.after["successors"][0][0] == "p_hung_phu_2025"


def test_parents_resolve_in_any_order(db):
    rows = [{"code": "phong_b", "name": "Phòng B", "kind": "phong", "parent": "ubnd_a"},
            {"code": "ubnd_a", "name": "Ủy ban nhân dân huyện A", "kind": "ubnd_huyen", "parent": "ubnd_t"},
            {"code": "ubnd_t", "name": "Ủy ban nhân dân tỉnh T", "kind": "UBND cấp tỉnh"}]
    result = import_units(rows)
    assert result.ok, result.errors
    assert sorted(result.created) == ["phong_b", "ubnd_a", "ubnd_t"]
    assert Unit.objects.get(code="phong_b").parent.parent.code == "ubnd_t"
    assert Unit.objects.get(code="ubnd_t").kind == UnitKind.UBND_TINH  # a kind label is accepted


def test_dry_run_reports_and_saves_nothing(db):
    result = load_default(dry_run=True)
    assert result.ok and len(result.created) == 50
    assert "Chạy thử" in result.summary()
    assert not Unit.objects.exists() and not AuditLog.objects.exists()


def test_import_into_an_existing_tree_links_to_its_units(units):
    rows = [{"code": "p_moi", "name": "Ủy ban nhân dân phường Mới", "kind": "ubnd_xa", "parent": "ubnd_q_ninhkieu",
             "valid_from": "2025-07-01"},
            {"code": "p_tan_an", "name": "Ủy ban nhân dân phường Tân An", "kind": "ubnd_xa",
             "parent": "ubnd_q_ninhkieu", "valid_to": "2025-06-30", "successors": [{"code": "p_moi"}]}]
    result = import_units(rows)
    assert result.ok, result.errors
    assert result.created == ["p_moi"] and result.updated == ["p_tan_an"]
    link = Succession.objects.get()
    assert (link.predecessor, link.kind, link.on) == (units["tan_an"], "merged", None)

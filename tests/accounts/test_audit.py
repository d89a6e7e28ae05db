"""The audit log: append-only rows, and the page that shows them to admins and leaders."""

from __future__ import annotations

from datetime import datetime, timezone

import pytest
import time_machine
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from dieuhanh.accounts.audit import record, snapshot
from dieuhanh.accounts.models import AppendOnlyError, AuditAction, AuditLog
from tests.accounts.helpers import text_of
from tests.accounts.matrix import assert_matrix

URL = "/tai-khoan/nhat-ky/"
LEADERS_AND_ADMIN = {"admin", "district_leader", "ward_chairman", "noi_vu_head"}


def rows_on(response) -> list[AuditLog]:  # type: ignore[no-untyped-def]
    return [entry["row"] for entry in response.context["entries"]]


def seed(units, actors) -> dict[str, AuditLog]:  # type: ignore[no-untyped-def]
    """One row per unit of interest, written by someone of that unit."""
    made = {}
    for key, actor in [("le_binh", "ward_clerk"), ("ba_lang", "other_ward_clerk"), ("noi_vu", "district_specialist"),
                       ("district", "district_clerk"), ("tan_an", "outsider"), ("city", "admin")]:
        unit = units[key]
        made[key] = record(actors[actor], AuditAction.UPDATE, unit, before={"note": "cũ"},
                           after={"note": f"mới {key}"}, unit_id=unit.pk)
    return made


# --- append-only ----------------------------------------------------------------------

def test_rows_refuse_update_and_delete(actors) -> None:
    row = record(actors["admin"], AuditAction.CREATE, actors["ward_clerk"], after={"role": "van_thu"})
    row.note = "sửa lén"
    with pytest.raises(AppendOnlyError):
        row.save()
    with pytest.raises(AppendOnlyError):
        row.delete()
    with pytest.raises(AppendOnlyError):
        AuditLog.objects.filter(pk=row.pk).update(note="sửa lén")
    with pytest.raises(AppendOnlyError):
        AuditLog.objects.filter(pk=row.pk).delete()
    with pytest.raises(AppendOnlyError):
        AuditLog.objects.bulk_update([row], ["note"])
    assert isinstance(AppendOnlyError("x"), ValueError)
    assert AuditLog.objects.get(pk=row.pk).note == ""


def test_deleting_a_user_keeps_their_rows_by_name(actors) -> None:
    user = actors["outsider"]
    row = record(user, AuditAction.LOGIN, user)
    user.delete()
    row = AuditLog.objects.get(pk=row.pk)
    assert row.actor is None and row.actor_name == "vanthu.tanan"


def test_record_and_snapshot_round_trip(actors) -> None:
    user = actors["ward_clerk"]
    row = record(actors["admin"], AuditAction.UPDATE, user, before=snapshot(user, ["role"]),
                 after={"role": "chuyen_vien"})
    assert row.object_type == "accounts.user" and row.object_repr == "vanthu.lebinh"
    assert row.unit_id == user.unit_id and row.before == {"role": "van_thu"}
    assert "password" not in snapshot(user)


# --- who may see the page -------------------------------------------------------------

def test_matrix(client, actors) -> None:
    assert_matrix(client, actors, URL, allowed=LEADERS_AND_ADMIN)


def test_anonymous_goes_to_login(client, db) -> None:
    response = client.get(URL)
    assert response.status_code == 302 and response["Location"] == "/tai-khoan/dang-nhap/?next=/tai-khoan/nhat-ky/"


def test_specialist_gets_403(login, actors) -> None:
    assert login(actors["district_specialist"]).get(URL).status_code == 403


def test_wrong_method(login, actors) -> None:
    assert login(actors["admin"]).post(URL).status_code == 405


def test_admin_sees_every_row(login, units, actors) -> None:
    seed(units, actors)
    record(None, AuditAction.LOGIN_FAILED, None, actor_name="ai.do", object_type="accounts.user")
    response = login(actors["admin"]).get(URL)
    assert len(rows_on(response)) == 7


def test_district_leader_sees_only_the_district_subtree(login, units, actors) -> None:
    made = seed(units, actors)
    record(None, AuditAction.LOGIN_FAILED, None, actor_name="ai.do", object_type="accounts.user")
    shown = set(rows_on(login(actors["district_leader"]).get(URL)))
    assert shown == {made["le_binh"], made["ba_lang"], made["noi_vu"], made["district"]}


def test_ward_chairman_and_unit_head_see_their_own_subtree(client, units, actors) -> None:
    made = seed(units, actors)
    client.force_login(actors["ward_chairman"])
    assert set(rows_on(client.get(URL))) == {made["le_binh"]}
    client.force_login(actors["noi_vu_head"])
    assert set(rows_on(client.get(URL))) == {made["noi_vu"]}


# --- filters, diff, pagination, query count ------------------------------------------

def test_filters(login, units, actors) -> None:
    seed(units, actors)
    with time_machine.travel(datetime(2024, 3, 5, 3, 0, tzinfo=timezone.utc), tick=False):
        old = record(actors["ward_clerk"], AuditAction.DELETE, actors["ward_clerk"], before={"role": "van_thu"})
    client = login(actors["admin"])
    assert rows_on(client.get(URL, {"action": "delete"})) == [old]
    assert rows_on(client.get(URL, {"object_type": "accounts.user"})) == [old]
    assert rows_on(client.get(URL, {"date_from": "05/03/2024", "date_to": "05/03/2024"})) == [old]
    assert rows_on(client.get(URL, {"date_to": "04/03/2024"})) == []
    by_actor = rows_on(client.get(URL, {"actor": "lebinh"}))
    assert set(r.actor_name for r in by_actor) == {"vanthu.lebinh"} and len(by_actor) == 2
    assert len(rows_on(client.get(URL, {"actor": "Nguyễn"}))) == 7


def test_bad_filters_give_vietnamese_messages_not_errors(login, units, actors) -> None:
    seed(units, actors)
    client = login(actors["admin"])
    response = client.get(URL, {"date_from": "31/02/2024", "action": "login"})
    assert response.status_code == 200
    assert "Ngày không hợp lệ, hãy nhập theo dạng dd/mm/yyyy" in text_of(response)
    assert rows_on(response) == []  # the valid filter (action) still applies
    response = client.get(URL, {"date_from": "05/03/2024", "date_to": "01/03/2024"})
    assert "“Đến ngày” phải sau hoặc bằng “Từ ngày”." in text_of(response)
    for junk in ({"action": "xoa-het"}, {"object_type": "x" * 500}, {"date_from": "01/01/0001"}, {"page": "-1"}):
        assert client.get(URL, junk).status_code == 200


def test_before_and_after_shown_as_a_readable_diff(login, units, actors) -> None:
    user = actors["ward_clerk"]
    record(actors["admin"], AuditAction.UPDATE, user,
           before={"role": "van_thu", "unit": units["le_binh"].pk, "phone": "0292", "is_active": True},
           after={"role": "chuyen_vien", "unit": units["ba_lang"].pk, "phone": "0292", "is_active": False})
    page = text_of(login(actors["admin"]).get(URL))
    assert "<del>Văn thư</del> → <ins>Chuyên viên</ins>" in page
    assert "<del>Ủy ban nhân dân phường Lê Bình</del> → <ins>Ủy ban nhân dân phường Ba Láng</ins>" in page
    assert "<del>Có</del> → <ins>Không</ins>" in page
    assert "0292" not in page  # unchanged fields are left out


def test_pagination_keeps_filters(login, actors) -> None:
    for n in range(55):
        record(actors["admin"], AuditAction.LOGIN, actors["admin"], note=f"n{n}")
    client = login(actors["admin"])
    first = client.get(URL, {"action": "login"})
    assert len(rows_on(first)) == 50 and "?action=login&amp;page=2" in text_of(first)
    second = client.get(URL, {"action": "login", "page": 2})
    assert len(rows_on(second)) == 5


@pytest.mark.parametrize("viewer", ["admin", "district_leader"])
def test_query_count_does_not_grow_with_rows(login, units, actors, viewer, django_assert_max_num_queries) -> None:
    client = login(actors[viewer])

    def count() -> int:
        with CaptureQueriesContext(connection) as ctx:
            assert client.get(URL).status_code == 200
        return len(ctx.captured_queries)

    def add_rows() -> None:  # rows naming units and users in their before/after too
        seed(units, actors)
        record(actors["ward_clerk"], AuditAction.UPDATE, actors["ward_clerk"],
               before={"unit": units["le_binh"].pk}, after={"unit": units["ba_lang"].pk})
        record(actors["ward_clerk"], AuditAction.CREATE, actors["ward_clerk"].api_tokens.create(digest=f"d{n}"),
               after={"user": actors["ward_clerk"].pk, "name": "x"})

    n = 0
    add_rows()
    few = count()
    for n in range(1, 12):
        add_rows()
    assert count() == few
    with django_assert_max_num_queries(9):
        client.get(URL)


def test_page_link_only_for_those_who_may_browse(login, actors) -> None:
    # The overview may not exist yet: look at a page every user has.
    assert reverse("accounts:audit") in text_of(login(actors["district_leader"]).get(reverse("accounts:tokens")))
    assert reverse("accounts:audit") not in text_of(login(actors["ward_clerk"]).get(reverse("accounts:tokens")))

"""The audit trail you can trust: request metadata on every row, the hash chain and
``dieuhanh audit verify``, and PostgreSQL's refusal to change or remove a row."""

from __future__ import annotations

import threading

import pytest
from django.db import connection, connections, transaction
from django.test import RequestFactory

from dieuhanh.accounts import chain
from dieuhanh.accounts.audit import record
from dieuhanh.accounts.models import AuditAction, AuditChainHead, AuditLog
from dieuhanh.accounts.request_meta import RequestMetaMiddleware
from dieuhanh.cli import main
from tests.factories import PASSWORD

ON_POSTGRES = connection.vendor == "postgresql"


def three_rows(actors) -> list[AuditLog]:  # type: ignore[no-untyped-def]
    admin, clerk = actors["admin"], actors["ward_clerk"]
    return [record(admin, AuditAction.UPDATE, clerk, before={"role": "van_thu"}, after={"role": "chuyen_vien"}),
            record(clerk, AuditAction.LOGIN, clerk, note="Đăng nhập"),
            record(admin, AuditAction.STATE, clerk, before={"is_active": True}, after={"is_active": False})]


def raw_update(sql: str, params: list) -> None:  # type: ignore[type-arg]
    with connection.cursor() as cursor:
        cursor.execute(sql, params)


# --- request metadata ----------------------------------------------------------------

def test_login_row_has_address_and_user_agent(client, actors) -> None:
    user = actors["ward_clerk"]
    response = client.post("/tai-khoan/dang-nhap/", {"username": user.username, "password": PASSWORD},
                           headers={"User-Agent": "Mozilla/5.0 (Android 14; Mobile)"}, REMOTE_ADDR="198.51.100.20")
    assert response.status_code == 302
    row = AuditLog.objects.get(action=AuditAction.LOGIN, actor=user)
    assert row.ip == "198.51.100.20" and row.user_agent == "Mozilla/5.0 (Android 14; Mobile)"


def test_service_without_request_gets_metadata_from_the_middleware(actors) -> None:
    request = RequestFactory().post("/", HTTP_USER_AGENT="x" * 500, REMOTE_ADDR="2001:db8::1")

    def view(_request):  # type: ignore[no-untyped-def]
        return record(actors["admin"], AuditAction.UPDATE, actors["outsider"], note="không truyền request")

    row = RequestMetaMiddleware(view)(request)
    assert row.ip == "2001:db8::1" and row.user_agent == "x" * 300
    # Outside a request (worker, command) there is nothing to stamp, and nothing leaks from the last one.
    later = record(None, AuditAction.STATE, actors["outsider"], actor_name="worker")
    assert later.ip is None and later.user_agent == ""


def test_an_explicit_request_still_wins(actors) -> None:
    outer = RequestFactory().get("/", REMOTE_ADDR="192.0.2.1")
    explicit = RequestFactory().get("/", REMOTE_ADDR="192.0.2.99", HTTP_USER_AGENT="explicit")
    row = RequestMetaMiddleware(lambda r: record(actors["admin"], AuditAction.UPDATE, None,
                                                 object_type="test", request=explicit))(outer)
    assert row.ip == "192.0.2.99" and row.user_agent == "explicit"


# --- the chain -----------------------------------------------------------------------

def test_rows_link_to_each_other(actors) -> None:
    rows = three_rows(actors)
    assert [r.seq for r in rows] == [rows[0].seq, rows[0].seq + 1, rows[0].seq + 2]
    assert rows[1].prev_hash == rows[0].hash and rows[2].prev_hash == rows[1].hash
    head = AuditChainHead.objects.get(pk=1)
    assert (head.seq, head.hash) == (rows[2].seq, rows[2].hash)
    fresh = AuditLog.objects.get(pk=rows[0].pk)  # what the database gives back hashes the same
    assert chain.row_hash(fresh) == rows[0].hash and len(rows[0].hash) == 64
    assert chain.verify().ok


def test_a_rolled_back_row_leaves_the_chain_whole(actors) -> None:
    three_rows(actors)
    with pytest.raises(RuntimeError), transaction.atomic():
        record(actors["admin"], AuditAction.UPDATE, actors["outsider"], note="bị hủy")
        raise RuntimeError
    record(actors["admin"], AuditAction.UPDATE, actors["outsider"], note="sau khi hủy")
    assert chain.verify().ok


@pytest.mark.sqlite_only
def test_verify_finds_a_row_changed_in_raw_sql(actors, capsys) -> None:
    rows = three_rows(actors)
    assert main(["audit", "verify"]) == 0
    assert "nguyên vẹn: 3 dòng" in capsys.readouterr().out
    raw_update("UPDATE accounts_auditlog SET note = %s WHERE id = %s", ["sửa lén", rows[1].pk])
    assert main(["audit", "verify"]) == 1
    out = capsys.readouterr().out
    assert f"mắt xích số {rows[1].seq} (dòng id {rows[1].pk})" in out and "đã bị sửa" in out


@pytest.mark.sqlite_only
def test_verify_finds_a_row_changed_together_with_its_hash(actors) -> None:
    rows = three_rows(actors)
    tampered = AuditLog.objects.get(pk=rows[0].pk)
    tampered.after = {"role": "quan_tri"}
    raw_update("UPDATE accounts_auditlog SET after = %s, hash = %s WHERE id = %s",
               ['{"role": "quan_tri"}', chain.row_hash(tampered), rows[0].pk])
    verdict = chain.verify()
    assert not verdict.ok and verdict.broken_id == rows[1].pk and "dòng trước" in verdict.reason


@pytest.mark.sqlite_only
def test_verify_finds_deleted_rows_in_the_middle_and_at_the_end(actors) -> None:
    rows = three_rows(actors)
    raw_update("DELETE FROM accounts_auditlog WHERE id = %s", [rows[2].pk])
    verdict = chain.verify()
    assert not verdict.ok and verdict.broken_seq == rows[2].seq and "mới nhất" in verdict.reason
    raw_update("DELETE FROM accounts_auditlog WHERE id = %s", [rows[0].pk])
    verdict = chain.verify()
    assert not verdict.ok and verdict.broken_seq == rows[0].seq and "thiếu dòng" in verdict.reason


@pytest.mark.sqlite_only
def test_verify_finds_a_row_inserted_around_the_application(actors) -> None:
    three_rows(actors)
    raw_update("INSERT INTO accounts_auditlog (at, actor_name, action, object_type, object_id, object_repr, note, "
               "user_agent, prev_hash, hash) VALUES (%s, 'ke_gian', 'login', 'x', '', '', '', '', '', '')",
               ["2026-01-01 00:00:00"])
    verdict = chain.verify()
    assert not verdict.ok and "ngoài chuỗi" in verdict.reason


def test_deleting_a_user_keeps_the_chain_valid(actors) -> None:
    user = actors["outsider"]
    record(user, AuditAction.LOGIN, user)
    user.delete()  # Django sets actor_id to NULL: allowed, and outside the hash
    assert chain.verify().ok


# --- PostgreSQL: the database itself refuses ---------------------------------------------

@pytest.mark.skipif(not ON_POSTGRES, reason="the trigger exists on PostgreSQL only")
@pytest.mark.parametrize("sql", ["UPDATE accounts_auditlog SET note = 'sửa lén' WHERE id = %s",
                                 "UPDATE accounts_auditlog SET unit_id = NULL, note = 'x' WHERE id = %s",
                                 "DELETE FROM accounts_auditlog WHERE id = %s"])
def test_postgres_refuses_update_and_delete(actors, sql) -> None:
    from django.db.utils import DatabaseError

    row = three_rows(actors)[0]
    with pytest.raises(DatabaseError, match="append-only"), transaction.atomic():
        raw_update(sql, [row.pk])
    assert AuditLog.objects.get(pk=row.pk).note == ""


@pytest.mark.skipif(not ON_POSTGRES, reason="concurrent writers need PostgreSQL's row locks")
@pytest.mark.django_db(transaction=True)
def test_concurrent_appends_keep_one_chain() -> None:
    from tests.factories import build_actors, build_tree

    actors = build_actors(build_tree())
    errors: list[BaseException] = []

    def write(n: int) -> None:
        try:
            for i in range(15):
                with transaction.atomic():
                    record(actors["admin"], AuditAction.UPDATE, None, object_type="test", note=f"{n}-{i}")
        except BaseException as err:  # noqa: BLE001 - reported below
            errors.append(err)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=write, args=(n,)) for n in range(6)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert not errors
    verdict = chain.verify()
    assert verdict.ok, verdict.reason
    assert AuditLog.objects.filter(object_type="test").count() == 90

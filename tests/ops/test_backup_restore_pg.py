"""The backup round trip on PostgreSQL (pg_dump --format=custom, pg_restore of the same major
version): two scratch databases next to the test database, every table and file compared."""

from __future__ import annotations

import os
from collections.abc import Iterator
from urllib.parse import urlsplit, urlunsplit

import pytest

from tests.ops.install import dieuhanh, environment, media_of, populate

URL = os.environ.get("DATABASE_URL", "")
pytestmark = pytest.mark.skipif(not URL.startswith(("postgres://", "postgresql://")),
                                reason="runs in the PostgreSQL pass of .ci/run (DATABASE_URL=postgres://…)")


def _url(name: str) -> str:
    parts = urlsplit(URL)
    return urlunsplit(parts._replace(path="/" + name))


def _admin():  # type: ignore[no-untyped-def]
    import psycopg

    return psycopg.connect(_url("postgres"), autocommit=True)


@pytest.fixture
def databases() -> Iterator[tuple[str, str]]:
    base = urlsplit(URL).path.lstrip("/") or "dieuhanh"
    names = (f"{base}_bksrc", f"{base}_bkdst")
    with _admin() as admin:
        for name in names:
            admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
            admin.execute(f'CREATE DATABASE "{name}"')
    yield _url(names[0]), _url(names[1])
    with _admin() as admin:
        for name in names:
            admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def tables(url: str) -> dict[str, list[tuple]]:  # type: ignore[type-arg]
    import psycopg

    with psycopg.connect(url) as db:
        names = [r[0] for r in db.execute("SELECT tablename FROM pg_tables WHERE schemaname = 'public' "
                                          "ORDER BY tablename")]
        return {n: sorted(db.execute(f'SELECT * FROM "{n}"').fetchall(), key=repr) for n in names}


def test_postgres_round_trip(databases, tmp_path) -> None:  # type: ignore[no-untyped-def]
    source_url, target_url = databases
    source, target = environment(tmp_path, "source", source_url), environment(tmp_path, "target", target_url)
    populate(source)
    archive = tmp_path / "pg.tar.gz"
    done = dieuhanh(source, "backup", "--out", str(archive))
    assert done.returncode == 0, done.stderr
    restored = dieuhanh(target, "restore", str(archive))
    assert restored.returncode == 0, restored.stderr
    before, after = tables(source_url), tables(target_url)
    assert set(after) == set(before) and len(before) > 40
    for table, rows in before.items():
        assert after[table] == rows, table
    assert media_of(target) == media_of(source)
    assert dieuhanh(target, "audit", "verify").returncode == 0
    # Sequences came back too: a new row takes the next number; the trigger came back: no DELETE.
    wrote = dieuhanh(target, "manage", "shell", "-c", "from dieuhanh.accounts.audit import record; "
                     "print(record(None, 'state', None, object_type='test', actor_name='sau khôi phục').seq)")
    assert wrote.returncode == 0 and int(wrote.stdout.split()[-1]) == len(before["accounts_auditlog"]) + 1
    import psycopg

    with psycopg.connect(target_url) as db, pytest.raises(psycopg.Error, match="append-only"):
        db.execute("DELETE FROM accounts_auditlog")
    again = dieuhanh(target, "restore", str(archive))
    assert again.returncode == 2 and "không trống" in again.stderr

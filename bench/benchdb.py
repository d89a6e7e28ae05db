"""The database a bench runs on, shared by the bench scripts.

A fresh SQLite file (``--sqlite PATH``) by default, or, with ``DATABASE_URL``, a PostgreSQL
database named after it with ``_bench`` appended (dropped and created again unless
``--reuse``; the database in ``DATABASE_URL`` itself is never touched).
"""

from __future__ import annotations

import argparse
import os
from pathlib import Path


def prepare_database(args: argparse.Namespace) -> str:
    """Point Django at the bench database (created fresh unless --reuse). Returns a label."""
    url = os.environ.get("DATABASE_URL")
    if not url:
        path = Path(args.sqlite)
        if not args.reuse:
            for suffix in ("", "-wal", "-shm"):
                Path(str(path) + suffix).unlink(missing_ok=True)
        os.environ["SQLITE_PATH"] = str(path)
        return f"SQLite {path}"
    from urllib.parse import urlsplit, urlunsplit

    import psycopg

    parts = urlsplit(url)
    name = (parts.path.lstrip("/") or "dieuhanh") + "_bench"
    bench_url = urlunsplit(parts._replace(path="/" + name))
    admin_url = urlunsplit(parts._replace(path="/postgres"))
    with psycopg.connect(admin_url, autocommit=True) as conn:
        exists = conn.execute("SELECT 1 FROM pg_database WHERE datname = %s", [name]).fetchone()
        if exists and not args.reuse:
            conn.execute(f'DROP DATABASE "{name}" WITH (FORCE)')
            exists = None
        if not exists:
            conn.execute(f'CREATE DATABASE "{name}"')
    os.environ["DATABASE_URL"] = bench_url
    return f"PostgreSQL {parts.hostname}/{name}"


def setup_django() -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "dieuhanh.settings")
    import django

    django.setup()
    from django.core.management import call_command

    call_command("migrate", verbosity=0, interactive=False)

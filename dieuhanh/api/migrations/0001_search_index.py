"""The full-text index for document search (see ``dieuhanh.documents.search``).

SQLite: an FTS5 table keyed by document id, filled from ``search_text``.
PostgreSQL: ``pg_trgm`` and a GIN trigram index on ``documents_document.search_text``.
Other databases: nothing (search falls back to ``icontains``).
"""

from django.db import migrations

FTS_TABLE = "api_document_fts"
PG_INDEX = "api_document_search_trgm"


def create_index(apps, schema_editor):  # type: ignore[no-untyped-def]
    vendor = schema_editor.connection.vendor
    if vendor == "sqlite":
        schema_editor.execute(
            f"CREATE VIRTUAL TABLE IF NOT EXISTS {FTS_TABLE} USING fts5("
            "search_text, tokenize = 'unicode61 remove_diacritics 2')"
        )
        schema_editor.execute(
            f"INSERT INTO {FTS_TABLE}(rowid, search_text) SELECT id, search_text FROM documents_document"
        )
    elif vendor == "postgresql":
        schema_editor.execute("CREATE EXTENSION IF NOT EXISTS pg_trgm")
        schema_editor.execute(
            f"CREATE INDEX IF NOT EXISTS {PG_INDEX} ON documents_document USING gin (search_text gin_trgm_ops)"
        )


def drop_index(apps, schema_editor):  # type: ignore[no-untyped-def]
    vendor = schema_editor.connection.vendor
    if vendor == "sqlite":
        schema_editor.execute(f"DROP TABLE IF EXISTS {FTS_TABLE}")
    elif vendor == "postgresql":
        schema_editor.execute(f"DROP INDEX IF EXISTS {PG_INDEX}")


class Migration(migrations.Migration):
    dependencies = [("documents", "__first__")]
    operations = [migrations.RunPython(create_index, drop_index, elidable=False)]

"""``dieuhanh manage search_reindex``: rebuild the document search index from scratch."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand
from django.db import transaction
from django.utils.translation import gettext_noop as N_


class Command(BaseCommand):
    help = "Dựng lại chỉ mục tìm kiếm văn bản (rebuild the document search index)"

    def handle(self, *args: Any, **options: Any) -> None:
        from dieuhanh.documents.search import rebuild_index

        from dieuhanh.accounts.commands import record_command

        with transaction.atomic():
            count = rebuild_index()
            record_command("search_reindex", N_("Dựng lại chỉ mục tìm kiếm bằng lệnh quản trị"), after={"documents": count})
        self.stdout.write(f"Đã lập chỉ mục {count} văn bản (indexed {count} documents).")

"""``dieuhanh manage search_reindex``: rebuild the document search index from scratch."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand
from django.db import transaction


class Command(BaseCommand):
    help = "Dựng lại chỉ mục tìm kiếm văn bản (rebuild the document search index)"

    def handle(self, *args: Any, **options: Any) -> None:
        from dieuhanh.documents.search import rebuild_index

        with transaction.atomic():
            count = rebuild_index()
        self.stdout.write(f"Đã lập chỉ mục {count} văn bản (indexed {count} documents).")

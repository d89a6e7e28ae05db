"""What the overview page shows a user: counts and recent documents in their scope."""

from __future__ import annotations

from typing import Any


def overview_for(user: Any) -> dict[str, Any]:
    from dieuhanh.documents.services import overview_counts

    return overview_counts(user)

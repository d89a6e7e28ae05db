"""The home page is the user's inbox: sections of "what needs me", filled by the apps.

An app registers its sections once (in its ``AppConfig.ready``)::

    from dieuhanh.web import inbox

    inbox.register(inbox.Section("drafts_to_review", 25, _("Dự thảo chờ tôi cho ý kiến"),
                                 provider=drafts_waiting_for, empty=_("Không có dự thảo nào chờ bạn."),
                                 counted=True))

``provider(user, limit)`` returns a :class:`Filled` (the count and the first ``limit``
:class:`Item`\\ s) in a fixed number of queries. Sections are shown by ``order``; the
reserved places are: 10 new work, 20 decisions (results, extensions), 25 drafts to review,
30 documents to route, 40 due soon, 50 overdue, 90 the unit's recent documents. Sections
with ``counted=True`` add up to the count shown in the navigation.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

DEFAULT_LIMIT = 10


@dataclass
class Item:
    title: str
    url: str = ""
    meta: str = ""            # a line under the title: unit, deadline…
    badge: str = ""           # "quá hạn 5 ngày làm việc", "Chờ duyệt"…
    tone: str = ""            # "" | "late" | "soon" | "ok" (the badge's colour)


@dataclass
class Filled:
    count: int
    items: list[Item] = field(default_factory=list)
    more_url: str = ""


@dataclass
class Section:
    key: str
    order: int
    title: Any
    provider: Callable[[Any, int], Filled]
    empty: Any = ""
    counted: bool = False     # part of the navigation's count
    tone: str = ""            # "late": the section itself is red


SECTIONS: dict[str, Section] = {}


def register(section: Section) -> None:
    """Add (or replace, by key) a section of the inbox."""
    SECTIONS[section.key] = section


def sections() -> list[Section]:
    return sorted(SECTIONS.values(), key=lambda s: (s.order, s.key))


def fill(user: Any, limit: int = DEFAULT_LIMIT) -> list[tuple[Section, Filled]]:
    return [(s, s.provider(user, limit)) for s in sections()]


def count(user: Any) -> int:
    """What the navigation shows: the counted sections' totals (one COUNT each)."""
    return sum(s.provider(user, 0).count for s in sections() if s.counted)

"""Full-text search over documents: one box, diacritics optional, permission-scoped.

The text searched is ``Document.search_text``: number/symbol, subject, issuer and
body folded by :func:`dieuhanh.lib.vntext.fold` ("Cái Răng" → "cai rang", "đ" → "d").
The query is folded the same way, so "cai cach hanh chinh"
and "cải cách hành chính" are one search. Every query word must start a word of
the document, in any order ("cai ra" finds "Cái Răng"); documents where the words
follow each other come first, then the newest.

Who keeps the index: ``Document.save`` derives ``search_text``; this module's
``post_save``/``post_delete`` signals (connected in ``dieuhanh.api.apps.ApiConfig.ready``)
keep the SQLite FTS5 table in step, in the same transaction as the save.
``QuerySet.update``/``bulk_create`` bypass both: run ``dieuhanh manage search_reindex``
after such bulk writes.

Backends (one interface, :func:`search_documents`):

* SQLite — an FTS5 table ``api_document_fts`` (rowid = document id), created by
  ``dieuhanh/api/migrations/0001_search_index.py``.
* PostgreSQL — a GIN trigram index (``pg_trgm``) on ``search_text``, queried with
  word-start regular expressions (``~ '\\mcai'``), which the index serves.
* Anything else — ``icontains`` per word (slow, correct enough).
"""

from __future__ import annotations

import functools
import itertools
import math
import re
import unicodedata
from dataclasses import dataclass, field
from datetime import date
from typing import Any

from django import forms
from django.contrib.auth.decorators import login_required
from django.db import connection
from django.db.models import Case, F, IntegerField, Q, QuerySet, Value, When
from django.db.models.expressions import RawSQL
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.template import Template
from django.utils.cache import patch_vary_headers
from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_GET

from dieuhanh.documents.models import Document
from dieuhanh.lib.vntext import fold, fold_same_length
from dieuhanh.web.forms import VnDateInput

FTS_TABLE = "api_document_fts"
MAX_QUERY_CHARS = 200
MAX_WORDS = 12
MAX_PER_PAGE = 100
_WORD = re.compile(r"[^\W_]+")


# --- the index ------------------------------------------------------------------------
# ``Document.save`` derives ``search_text`` (``Document.refresh_derived``: number/symbol,
# subject, issuer and body, folded). Here only the SQLite FTS table follows it.


def _fts_upsert(doc_id: int, text: str) -> None:
    with connection.cursor() as cur:
        cur.execute(f"DELETE FROM {FTS_TABLE} WHERE rowid = %s", [doc_id])
        cur.execute(f"INSERT INTO {FTS_TABLE}(rowid, search_text) VALUES (%s, %s)", [doc_id, text])


def _on_post_save(sender: type, instance: Document, raw: bool = False, update_fields: Any = None,
                  **kwargs: Any) -> None:
    if connection.vendor != "sqlite":
        return  # PostgreSQL's trigram index follows the column by itself
    if update_fields is None or "search_text" in update_fields:
        _fts_upsert(instance.pk, instance.search_text)


def _on_post_delete(sender: type, instance: Document, **kwargs: Any) -> None:
    if connection.vendor == "sqlite":
        with connection.cursor() as cur:
            cur.execute(f"DELETE FROM {FTS_TABLE} WHERE rowid = %s", [instance.pk])


def connect_signals() -> None:
    from django.db.models.signals import post_delete, post_save

    post_save.connect(_on_post_save, sender=Document, dispatch_uid="documents.search.post_save")
    post_delete.connect(_on_post_delete, sender=Document, dispatch_uid="documents.search.post_delete")


def rebuild_index() -> int:
    """Re-derive every ``search_text`` and refill the SQLite FTS table; returns the count."""
    count = 0
    sqlite = connection.vendor == "sqlite"
    if sqlite:
        with connection.cursor() as cur:
            cur.execute(f"DELETE FROM {FTS_TABLE}")
    for doc in Document.objects.order_by("pk").iterator(chunk_size=200):
        stored = doc.search_text
        doc.refresh_derived()
        if doc.search_text != stored:
            Document.objects.filter(pk=doc.pk).update(search_text=doc.search_text, ns_key=doc.ns_key)
        if sqlite:
            with connection.cursor() as cur:
                cur.execute(f"INSERT INTO {FTS_TABLE}(rowid, search_text) VALUES (%s, %s)",
                            [doc.pk, doc.search_text])
        count += 1
    return count


# --- querying ---------------------------------------------------------------------------


def query_words(query: str | None) -> list[str]:
    """The folded words of a query, at most :data:`MAX_WORDS`, duplicates dropped."""
    words: list[str] = []
    for w in _WORD.findall(fold((query or "")[:MAX_QUERY_CHARS])):
        w = w[:64]
        if w not in words:
            words.append(w)
    return words[:MAX_WORDS]


def _match(qs: QuerySet[Document], words: list[str]) -> QuerySet[Document]:
    if not words:
        return qs
    if connection.vendor == "sqlite":
        expr = " ".join(f'"{w}"*' for w in words)
        return qs.filter(id__in=RawSQL(f"SELECT rowid FROM {FTS_TABLE} WHERE {FTS_TABLE} MATCH %s", (expr,)))
    if connection.vendor == "postgresql":
        for w in words:
            qs = qs.filter(search_text__regex=r"\m" + w)
        return qs
    for w in words:
        qs = qs.filter(search_text__icontains=w)
    return qs


def _phrase(words: list[str]) -> Q | None:
    """Documents where the words follow each other ("cai rang", not "cải cách … rằng")."""
    if len(words) < 2:
        return None
    if connection.vendor == "sqlite":
        expr = '"' + " ".join(words) + '"*'
        return Q(id__in=RawSQL(f"SELECT rowid FROM {FTS_TABLE} WHERE {FTS_TABLE} MATCH %s", (expr,)))
    if connection.vendor == "postgresql":
        return Q(search_text__regex=r"\m" + "[^[:alnum:]]+".join(words))
    return Q(search_text__icontains=" ".join(words))


def _folded_choice(qs: QuerySet[Document], field_name: str, wanted: str, *, exact: bool) -> list[str]:
    """Stored values of ``field_name`` (within ``qs``) equal to / containing ``wanted``, folded."""
    key = " ".join(fold(wanted).split())
    values = qs.order_by().values_list(field_name, flat=True).distinct()
    folded = ((v, " ".join(fold(v).split())) for v in values if v)
    return [v for v, f in folded if (f == key if exact else key in f)]


def filter_documents(user: Any, query: str | None = "", *, doc_type: str | None = None, issuer: str | None = None,
                     date_from: date | None = None, date_to: date | None = None, register_id: int | None = None,
                     direction: str | None = None) -> QuerySet[Document]:
    """Documents the user may see matching the query and filters, newest first."""
    from dieuhanh.documents.services import documents_visible_to

    qs = documents_visible_to(user)
    if direction:
        qs = qs.filter(direction=direction)
    if register_id:
        qs = qs.filter(register_id=register_id)
    if date_from:
        qs = qs.filter(issued_on__gte=date_from)
    if date_to:
        qs = qs.filter(issued_on__lte=date_to)
    qs = _match(qs, query_words(query))
    if doc_type and doc_type.strip():
        qs = qs.filter(doc_type__in=_folded_choice(qs, "doc_type", doc_type, exact=True))
    if issuer and issuer.strip():
        qs = qs.filter(issuer__in=_folded_choice(qs, "issuer", issuer, exact=False))
    newest_first = (F("issued_on").desc(nulls_last=True), "-id")
    phrase = _phrase(query_words(query))
    if phrase is None:
        return qs.order_by(*newest_first)
    # The words as a phrase rank first; then newest first.
    rank = Case(When(phrase, then=Value(1)), default=Value(0), output_field=IntegerField())
    return qs.annotate(phrase_rank=rank).order_by("-phrase_rank", *newest_first)


@dataclass
class SearchHit:
    document: Document
    number_symbol: SafeString
    subject: SafeString
    issuer: SafeString
    snippet: SafeString


@dataclass
class SearchPage:
    items: list[SearchHit]
    total: int
    page: int
    pages: int
    words: list[str] = field(default_factory=list)

    @property
    def has_previous(self) -> bool:
        return self.page > 1

    @property
    def has_next(self) -> bool:
        return self.page < self.pages


def search_documents(user: Any, query: str | None, *, doc_type: str | None = None, issuer: str | None = None,
                     date_from: date | None = None, date_to: date | None = None, register_id: int | None = None,
                     page: int = 1, per_page: int = 20, direction: str | None = None) -> SearchPage:
    """One page of the documents ``user`` may see that match; ``total`` counts only those."""
    words = query_words(query)
    qs = filter_documents(user, query, doc_type=doc_type, issuer=issuer, date_from=date_from, date_to=date_to,
                          register_id=register_id, direction=direction)
    per_page = max(1, min(int(per_page), MAX_PER_PAGE))
    total = qs.count()
    pages = max(1, math.ceil(total / per_page))
    page = max(1, min(int(page), pages))
    start = (page - 1) * per_page
    # The body is read for the snippets; the parse and the folded copy never are.
    docs = (list(qs.select_related("register__unit", "owner_unit").defer("parsed", "search_text")
                 [start:start + per_page]) if total else [])
    items = [_hit(d, words) for d in docs]
    return SearchPage(items=items, total=total, page=page, pages=pages, words=words)


def _hit(doc: Document, words: list[str]) -> SearchHit:
    heading = " ".join((doc.number_symbol, doc.subject, doc.issuer))
    # An extract of the body only when the heading does not already show every word.
    shown = all(re.search(r"(?<![^\W_])" + re.escape(w), fold(heading)) for w in words)
    return SearchHit(document=doc, number_symbol=highlight(doc.number_symbol, words),
                     subject=highlight(doc.subject, words), issuer=highlight(doc.issuer, words),
                     snippet=mark_safe("") if shown else snippet(doc.body, words))


# --- highlighting -----------------------------------------------------------------------


def _spans(text: str, words: list[str]) -> list[tuple[int, int]]:
    """Where the words start a word of ``text`` (NFC), merged; offsets into ``text``."""
    folded = fold_same_length(text)
    found = []
    for w in words:
        found.extend(m.span() for m in re.finditer(r"(?<![^\W_])" + re.escape(w), folded, re.IGNORECASE))
    merged: list[tuple[int, int]] = []
    for start, end in sorted(found):
        if merged and start <= merged[-1][1]:
            merged[-1] = (merged[-1][0], max(end, merged[-1][1]))
        else:
            merged.append((start, end))
    return merged


def highlight(text: str | None, words: list[str]) -> SafeString:
    """``text`` escaped, with each matched word start wrapped in ``<mark>``."""
    text = unicodedata.normalize("NFC", text or "")
    out, pos = [], 0
    for start, end in _spans(text, words):
        out.append(escape(text[pos:start]))
        out.append(f"<mark>{escape(text[start:end])}</mark>")
        pos = end
    out.append(escape(text[pos:]))
    return mark_safe("".join(out))  # noqa: S308 — every piece is escaped above


def _anchor(text: str, words: list[str]) -> tuple[int, int] | None:
    """Where a snippet should centre: the phrase if present, else the match with most words near it."""
    folded = fold_same_length(text)
    start = r"(?<![^\W_])"
    if len(words) > 1:
        phrase = re.search(start + r"[\W_]+".join(map(re.escape, words)), folded, re.IGNORECASE)
        if phrase:
            return phrase.span()
    hits = [(m.start(), m.end(), w) for w in words
            for m in itertools.islice(re.finditer(start + re.escape(w), folded, re.IGNORECASE), 50)]
    if not hits:
        return None
    near = 120
    best = max(hits, key=lambda h: (len({w for s, _e, w in hits if h[0] <= s <= h[0] + near}), -h[0]))
    return best[0], best[1]


def snippet(text: str | None, words: list[str], *, before: int = 80, after: int = 180) -> SafeString:
    """A short extract of ``text`` around the best match, highlighted; empty if none."""
    text = unicodedata.normalize("NFC", text or "")
    anchor = _anchor(text, words) if words else None
    if anchor is None:
        return mark_safe("")
    start = max(0, anchor[0] - before)
    end = min(len(text), anchor[0] + after)
    if start > 0:
        cut = text.find(" ", start, anchor[0])
        start = cut + 1 if cut != -1 else start
    if end < len(text):
        cut = text.rfind(" ", anchor[1], end)
        end = cut if cut != -1 else end
    window = " ".join(text[start:end].split())
    prefix = "… " if start > 0 else ""
    suffix = " …" if end < len(text) else ""
    return mark_safe(escape(prefix) + highlight(window, words) + escape(suffix))  # noqa: S308


# --- the page ---------------------------------------------------------------------------

DATE_FORMATS = ["%d/%m/%Y", "%d-%m-%Y", "%Y-%m-%d"]
DATE_ERROR = _("Ngày không hợp lệ, hãy nhập theo dạng dd/mm/yyyy (ví dụ 27/02/2020).")



@functools.cache
def _results_only() -> Template:
    """A HTMX request gets only the results block: the page extends this instead of web/base.html."""
    return Template("{% block results %}{% endblock %}")


class SearchForm(forms.Form):
    q = forms.CharField(label=_("Số, ký hiệu, trích yếu, cơ quan ban hành hoặc nội dung"), required=False,
                        max_length=MAX_QUERY_CHARS, widget=forms.TextInput(attrs={
                            "type": "search", "autocomplete": "off", "autofocus": True,
                            "placeholder": _("ví dụ: cai cach hanh chinh, 29/KH-UBND")}))
    doc_type = forms.ChoiceField(label=_("Loại văn bản"), required=False)
    issuer = forms.ChoiceField(label=_("Cơ quan ban hành"), required=False)
    register = forms.TypedChoiceField(label=_("Sổ văn bản"), required=False, coerce=int, empty_value=None)
    date_from = forms.DateField(label=_("Ban hành từ ngày"), required=False, input_formats=DATE_FORMATS,
                                widget=VnDateInput(), error_messages={"invalid": DATE_ERROR})
    date_to = forms.DateField(label=_("đến ngày"), required=False, input_formats=DATE_FORMATS,
                              widget=VnDateInput(), error_messages={"invalid": DATE_ERROR})

    def __init__(self, *args: Any, user: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        from dieuhanh.documents.services import documents_visible_to, registers_for_user

        visible = documents_visible_to(user).order_by()
        everything = [("", _("Tất cả"))]
        types = sorted({t for t in visible.values_list("doc_type", flat=True).distinct() if t}, key=fold)
        issuers = sorted({i for i in visible.values_list("issuer", flat=True).distinct() if i}, key=fold)
        self.fields["doc_type"].choices = everything + [(t, t) for t in types]
        self.fields["issuer"].choices = everything + [(i, i) for i in issuers]
        registers = registers_for_user(user, writable=False)
        self.fields["register"].choices = everything + [(r.pk, str(r)) for r in registers]

    def clean(self) -> dict[str, Any]:
        data = super().clean()
        if data.get("date_from") and data.get("date_to") and data["date_from"] > data["date_to"]:
            self.add_error("date_to", _("Ngày kết thúc phải sau ngày bắt đầu."))
        return data

    @property
    def has_criteria(self) -> bool:
        data = getattr(self, "cleaned_data", {})
        return any(data.get(k) for k in ("q", "doc_type", "issuer", "register", "date_from", "date_to"))


def _page_number(raw: str | None) -> int:
    try:
        return max(1, int(raw or 1))
    except ValueError:
        return 1


@require_GET
@login_required
def search_view(request: HttpRequest) -> HttpResponse:
    form = SearchForm(request.GET or None, user=request.user)
    result = None
    if form.is_bound and form.is_valid() and form.has_criteria:
        d = form.cleaned_data
        result = search_documents(request.user, d["q"], doc_type=d["doc_type"] or None, issuer=d["issuer"] or None,
                                  date_from=d["date_from"], date_to=d["date_to"], register_id=d["register"],
                                  page=_page_number(request.GET.get("page")))
    params = request.GET.copy()
    params.pop("page", None)
    # HTMX swaps in the results only; a history restore (back button, cache miss) needs the whole page.
    partial = (request.headers.get("HX-Request") == "true" and request.headers.get("HX-Boosted") != "true"
               and request.headers.get("HX-History-Restore-Request") != "true")
    context = {
        "form": form,
        "result": result,
        "base_query": params.urlencode(),
        "layout": _results_only() if partial else "web/base.html",
    }
    response = render(request, "documents/search.html", context)
    patch_vary_headers(response, ["HX-Request"])
    return response

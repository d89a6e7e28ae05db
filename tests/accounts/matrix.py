"""The permission matrix: which named actors may open a page, which are refused.

    from tests.accounts.matrix import assert_matrix

    def test_audit_page_matrix(client, actors):
        assert_matrix(client, actors, reverse("accounts:audit"),
                      allowed={"admin", "district_leader", "ward_chairman", "noi_vu_head"})

Each actor is logged in in turn (``force_login``) and the page is requested with
``method`` (and ``data``: the query for GET, the form for POST). Allowed actors
must get 200, or a 302 that is not a bounce to the login page; everyone else must
get 403 or 404. Every mismatch is reported at once. A state-changing POST runs
once per actor, in the order of ``actors``: pass a page or data that tolerates
that, or a smaller ``actors`` dict.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

from django.conf import settings
from django.shortcuts import resolve_url
from django.test import Client

ALLOWED_CODES = {200, 302}
DENIED_CODES = {403, 404}


def _request(client: Client, method: str, url: str, data: Any) -> Any:
    call = getattr(client, method.lower())
    return call(url) if data is None else call(url, data=data)


def _verdict(response: Any, allowed: bool) -> bool:
    code = response.status_code
    if not allowed:
        return code in DENIED_CODES
    if code == 302:
        return not response["Location"].startswith(resolve_url(settings.LOGIN_URL))
    return code in ALLOWED_CODES


def assert_matrix(client: Client, actors: Mapping[str, Any], url: str, allowed: Iterable[str],
                  method: str = "get", data: Any = None) -> None:
    allowed = set(allowed)
    unknown = allowed - set(actors)
    assert not unknown, f"allowed names no actor: {sorted(unknown)}"
    problems = []
    for name, user in actors.items():
        client.force_login(user)
        response = _request(client, method, url, data)
        if not _verdict(response, name in allowed):
            expected = "200/302" if name in allowed else "403/404"
            where = f" → {response['Location']}" if response.status_code in (301, 302) else ""
            problems.append(f"  {name}: got {response.status_code}{where}, expected {expected}")
        client.logout()
    assert not problems, f"{method.upper()} {url}\n" + "\n".join(problems)

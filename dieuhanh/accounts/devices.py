"""The "known device" cookie: the usernames that have logged in successfully in this browser.

Signed with the site's key (nobody can forge one for a username they never logged in as),
HttpOnly, kept 180 days. ``lockout`` gives such a browser a throttling counter of its own,
so an attacker who hammers a username cannot keep its owner out. It carries no session and
grants no access: the password (and the second factor) are still checked.
"""

from __future__ import annotations

from django.conf import settings
from django.core import signing
from django.http import HttpRequest, HttpResponse

from dieuhanh.accounts.lockout import fold

COOKIE = "dh_thiet_bi"
SALT = "dieuhanh.accounts.known-device"
MAX_AGE = 180 * 24 * 3600
KEEP = 5  # usernames per browser (a shared office computer)


def known_usernames(request: HttpRequest) -> list[str]:
    raw = request.COOKIES.get(COOKIE)
    if not raw:
        return []
    try:
        names = signing.loads(raw, salt=SALT, max_age=MAX_AGE)
    except signing.BadSignature:
        return []
    return [n for n in names if isinstance(n, str)][:KEEP] if isinstance(names, list) else []


def is_known(request: HttpRequest, username: str) -> bool:
    return fold(username) in known_usernames(request)


def remember(request: HttpRequest, response: HttpResponse, username: str) -> None:
    names = [fold(username)] + [n for n in known_usernames(request) if n != fold(username)]
    response.set_cookie(COOKIE, signing.dumps(names[:KEEP], salt=SALT), max_age=MAX_AGE, httponly=True,
                        samesite="Lax", secure=settings.SESSION_COOKIE_SECURE)

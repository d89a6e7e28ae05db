"""Fixtures for the accounts tests.

Passwords are hashed with MD5 here so that the nine actors of every test cost
nothing; ``tests/test_security.py`` checks that the real setting is Argon2.
"""

from __future__ import annotations

import pytest

IDLE_MIDDLEWARE = "dieuhanh.accounts.middleware.IdleTimeoutMiddleware"


@pytest.fixture(autouse=True)
def _fast_password_hasher(settings):  # type: ignore[no-untyped-def]
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture
def idle_middleware(settings):  # type: ignore[no-untyped-def]
    """The idle-timeout middleware, installed after MessageMiddleware if settings lack it."""
    if IDLE_MIDDLEWARE not in settings.MIDDLEWARE:
        stack = list(settings.MIDDLEWARE)
        stack.insert(stack.index("django.contrib.messages.middleware.MessageMiddleware") + 1, IDLE_MIDDLEWARE)
        settings.MIDDLEWARE = stack
    return IDLE_MIDDLEWARE

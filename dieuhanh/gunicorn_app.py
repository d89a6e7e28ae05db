"""gunicorn's side of ``dieuhanh serve`` (the settings and hooks: :mod:`dieuhanh.server`)."""

from __future__ import annotations

from dataclasses import asdict
from typing import Any

from gunicorn.app.base import BaseApplication
from gunicorn.workers.gthread import ThreadWorker

from dieuhanh.server import ServeOptions, post_fork, post_request, pre_fork


class BoundedThreadWorker(ThreadWorker):
    """gunicorn's gthread worker with a timeout on every client socket read and write."""

    client_timeout: float = ServeOptions.client_timeout

    def handle(self, conn: Any) -> Any:
        conn.sock.settimeout(self.client_timeout)
        return super().handle(conn)


class DieuhanhServer(BaseApplication):  # type: ignore[misc]
    def __init__(self, options: ServeOptions, app_module: str = "dieuhanh.wsgi:application") -> None:
        self.options = options
        self.app_module = app_module
        super().__init__()

    def load_config(self) -> None:
        opts = asdict(self.options)
        BoundedThreadWorker.client_timeout = opts.pop("client_timeout")  # the workers fork from here
        for key, value in opts.items():
            self.cfg.set(key, value)
        self.cfg.set("worker_class", f"{__name__}.BoundedThreadWorker")
        self.cfg.set("accesslog", "-")
        # The application (URLs, views, templates' code) is imported once in the master and shared by
        # the forked workers: a new or recycled worker answers its first request without that cost.
        self.cfg.set("preload_app", True)
        self.cfg.set("pre_fork", pre_fork)
        self.cfg.set("post_fork", post_fork)
        self.cfg.set("post_request", post_request)

    def load(self) -> Any:
        from django.urls import get_resolver
        from gunicorn.util import import_app

        app = import_app(self.app_module)
        get_resolver().url_patterns  # noqa: B018 - imports every view module now, in the master
        return app

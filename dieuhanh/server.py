"""How ``dieuhanh serve`` runs gunicorn (the gunicorn classes: :mod:`dieuhanh.gunicorn_app`): threads, timeouts, recycling, one database connection per process.

- **One connection per process.** The master runs ``migrate`` before forking; a worker that
  inherited that open PostgreSQL socket would share it with its siblings, and their replies
  would cross (issue 9: one ward's list held another ward's document). The master closes
  every connection before each fork (:func:`pre_fork`) and each worker closes whatever it
  inherited before serving (:func:`post_fork`).
- **Slow clients cannot hold the site.** ``gthread`` workers: each worker serves ``threads``
  requests at once, so a few slow senders occupy a few threads, not every worker. A client
  socket that stays silent for ``client_timeout`` seconds is dropped
  (:class:`dieuhanh.gunicorn_app.BoundedThreadWorker`). In production nginx buffers whole requests in front
  (docs/deploy-nginx.md), so gunicorn never waits on a slow client at all.
- **Recycling.** A worker restarts after ``max_requests`` (± jitter) requests and gives back
  the memory a heavy request left behind.
- A body refused by :mod:`dieuhanh.web.limits` ends its connection (:func:`post_request`)
  instead of gunicorn reading the rest of it to reach the next request.
"""

from __future__ import annotations

import os
import socket
import time
from dataclasses import dataclass
from typing import Any

REFUSED_KEY = "dieuhanh.body_refused"  # same key as dieuhanh.web.limits (no Django import here)
_LINGER_SECONDS = 2.0
_LINGER_BYTES = 4 * 1024 * 1024


def _env_int(name: str, default: int) -> int:
    try:
        return int(os.environ.get(name, "") or default)
    except ValueError:
        return default


@dataclass
class ServeOptions:
    """``dieuhanh serve``'s settings; each default can be overridden by an option or the environment."""

    bind: str = "127.0.0.1:8000"
    workers: int = 2
    threads: int = 8
    timeout: int = 60             # a worker silent this long is killed and replaced
    graceful_timeout: int = 30
    keepalive: int = 5
    client_timeout: int = 20      # a client socket silent this long is dropped
    max_requests: int = 1000
    max_requests_jitter: int = 100

    @classmethod
    def from_env(cls) -> ServeOptions:
        cpus = os.cpu_count() or 1
        return cls(
            bind=os.environ.get("DIEUHANH_BIND", cls.bind),
            workers=_env_int("WEB_CONCURRENCY", min(max(cpus, 2), 4)),
            threads=_env_int("DIEUHANH_THREADS", cls.threads),
            timeout=_env_int("DIEUHANH_TIMEOUT", cls.timeout),
            client_timeout=_env_int("DIEUHANH_CLIENT_TIMEOUT", cls.client_timeout),
            max_requests=_env_int("DIEUHANH_MAX_REQUESTS", cls.max_requests),
        )


def close_db_connections() -> None:
    from django.db import connections

    connections.close_all()


def pre_fork(server: Any, worker: Any) -> None:
    close_db_connections()  # in the master: nothing open is carried into the child


def post_fork(server: Any, worker: Any) -> None:
    # Normally a no-op (pre_fork closed everything); it guards against a connection opened by
    # some other master-side hook. Every worker runs it before its first request, so no worker
    # ever queries over an inherited socket.
    close_db_connections()


def post_request(worker: Any, req: Any, environ: dict[str, Any], resp: Any) -> None:
    if not environ.get(REFUSED_KEY):
        return
    req.force_close()
    _lingering_close(resp.sock)


def _lingering_close(sock: socket.socket) -> None:
    """Send our end's FIN, then read and discard what the client is still sending for a moment, so
    that it reads the 413 before a reset from closing with unread data (as nginx's lingering_close)."""
    try:
        sock.shutdown(socket.SHUT_WR)
        deadline = time.monotonic() + _LINGER_SECONDS
        drained = 0
        while drained < _LINGER_BYTES and (left := deadline - time.monotonic()) > 0:
            sock.settimeout(min(left, 0.5))
            data = sock.recv(65536)
            if not data:
                break
            drained += len(data)
    except OSError:
        pass


def run(options: ServeOptions) -> int:
    from dieuhanh.gunicorn_app import DieuhanhServer  # gunicorn only when serving, not for `dieuhanh parse`

    close_db_connections()  # what migrate (or the demo build) opened in this process
    DieuhanhServer(options).run()
    return 0

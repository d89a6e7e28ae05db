"""Server-side commands of the ``dieuhanh`` CLI: manage, serve, worker, demo.

Kept apart from ``cli.py`` so that ``dieuhanh parse`` never imports Django.
"""

from __future__ import annotations

import argparse
import os
import signal
import subprocess
import sys
from pathlib import Path

from dieuhanh.server import ServeOptions

DEFAULT_BIND = "127.0.0.1:8000"


def add_commands(sub: argparse._SubParsersAction) -> None:  # type: ignore[type-arg]
    manage = sub.add_parser("manage", help="lệnh quản trị Django (Django management commands)",
                            add_help=False)
    manage.add_argument("rest", nargs=argparse.REMAINDER)
    manage.set_defaults(handler=cmd_manage)

    serve = sub.add_parser("serve", help="chạy máy chủ web (run the production web server)")
    _add_server_options(serve, ServeOptions.from_env())
    serve.add_argument("--no-migrate", action="store_true", help="không tự cập nhật CSDL (skip migrate)")
    serve.set_defaults(handler=cmd_serve)

    worker = sub.add_parser("worker", help="chạy tiến trình nhắc việc và gửi thư (run the reminder worker)")
    worker.add_argument("--once", action="store_true", help="chạy một lượt rồi thoát (one round, then exit)")
    worker.add_argument("--interval", type=float, default=60.0,
                        help="số giây giữa hai lượt, mặc định 60 (seconds between rounds)")
    worker.set_defaults(handler=cmd_worker)

    demo = sub.add_parser("demo", help="dựng CSDL trình diễn rồi chạy (build the demo database and serve it)")
    demo.add_argument("--no-serve", action="store_true", help="chỉ dựng dữ liệu (build only)")
    _add_server_options(demo, ServeOptions.from_env(), bind=DEFAULT_BIND)
    demo.set_defaults(handler=cmd_demo)


def _add_server_options(parser: argparse.ArgumentParser, defaults: ServeOptions, bind: str | None = None) -> None:
    parser.add_argument("--bind", default=bind or defaults.bind,
                        help=f"địa chỉ:cổng (address:port), mặc định {bind or defaults.bind}")
    parser.add_argument("--workers", type=int, default=defaults.workers,
                        help=f"số tiến trình (worker processes), mặc định {defaults.workers}")
    parser.add_argument("--threads", type=int, default=defaults.threads,
                        help=f"số luồng mỗi tiến trình (threads per worker), mặc định {defaults.threads}")
    parser.add_argument("--timeout", type=int, default=defaults.timeout,
                        help=f"giây trước khi thay tiến trình treo (worker timeout), mặc định {defaults.timeout}")
    parser.add_argument("--client-timeout", type=int, default=defaults.client_timeout,
                        help="giây chờ tối đa một máy khách im lặng (idle client socket timeout), "
                             f"mặc định {defaults.client_timeout}")
    parser.add_argument("--max-requests", type=int, default=defaults.max_requests,
                        help="số yêu cầu trước khi thay tiến trình (recycle workers), 0 = không, "
                             f"mặc định {defaults.max_requests}")


def _serve_options(args: argparse.Namespace) -> ServeOptions:
    return ServeOptions(bind=args.bind, workers=max(args.workers, 1), threads=max(args.threads, 1),
                        timeout=args.timeout, client_timeout=args.client_timeout,
                        max_requests=max(args.max_requests, 0),
                        max_requests_jitter=args.max_requests // 10 if args.max_requests > 0 else 0)


def _setup() -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "dieuhanh.settings")
    import django

    django.setup()


def cmd_manage(args: argparse.Namespace) -> int:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "dieuhanh.settings")
    from django.core.management import execute_from_command_line

    execute_from_command_line(["dieuhanh manage", *args.rest])
    return 0


def cmd_serve(args: argparse.Namespace) -> int:
    _setup()
    from django.core.management import call_command

    if not args.no_migrate:
        call_command("migrate", interactive=False, verbosity=0)
    return _gunicorn(_serve_options(args))


def cmd_worker(args: argparse.Namespace) -> int:
    _setup()
    from django.core.management import call_command

    options = ["--interval", str(args.interval)]
    if args.once:
        options.append("--once")
    parent = os.environ.get("DIEUHANH_WORKER_PARENT")
    if parent:
        options += ["--parent-pid", parent]
    call_command("worker", *options)
    return 0


def start_worker() -> subprocess.Popen[bytes]:
    """``dieuhanh worker`` as a child process that ends with this one (see :func:`stop_worker`)."""
    env = {**os.environ, "DIEUHANH_WORKER_PARENT": str(os.getpid())}
    return subprocess.Popen([sys.executable, "-m", "dieuhanh.cli", "worker"], env=env)


def stop_worker(proc: subprocess.Popen[bytes], timeout: float = 10) -> None:
    if proc.poll() is not None:
        return
    proc.send_signal(signal.SIGTERM)
    try:
        proc.wait(timeout)
    except subprocess.TimeoutExpired:
        proc.kill()
        proc.wait()


def _gunicorn(options: ServeOptions) -> int:
    from dieuhanh.server import run

    return run(options)  # closes this process's database connections before forking the workers


def demo_database_path() -> Path:
    from dieuhanh.lib.env import env_path

    base = env_path("DIEUHANH_VAR", Path(__file__).resolve().parent.parent / "var")
    return base / "demo.sqlite3"


def cmd_demo(args: argparse.Namespace) -> int:
    # The demo's printed logins have no authenticator app behind them: no required second factor
    # (anyone may still turn it on in the demo; TWO_FACTOR_REQUIRED_ROLES set in the environment wins).
    os.environ.setdefault("TWO_FACTOR_REQUIRED_ROLES", "")
    if not os.environ.get("DATABASE_URL"):
        path = demo_database_path()
        path.parent.mkdir(parents=True, exist_ok=True)
        for suffix in ("", "-wal", "-shm"):
            Path(f"{path}{suffix}").unlink(missing_ok=True)
        os.environ["SQLITE_PATH"] = str(path)
    _setup()
    from django.core.management import call_command

    call_command("migrate", interactive=False, verbosity=0)
    call_command("load_demo")
    if args.no_serve:
        return 0
    print(f"\nĐang chạy tại http://{args.bind}/ — nhấn Ctrl+C để dừng (serving; Ctrl+C to stop)\n", flush=True)
    # The reminder worker runs beside the web server (e-mail goes to the console) and stops with it.
    worker = start_worker()
    try:
        return _gunicorn(_serve_options(args))
    finally:
        stop_worker(worker)

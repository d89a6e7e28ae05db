"""Load test: logged-in users of mixed roles against a real ``dieuhanh serve`` (issue 9 #8).

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/dieuhanh .venv/bin/python bench/load.py \\
        [--seconds 300] [--users 100] [--think 0.5] [--chaos] [--port 8180] [--reuse]

1. Builds the bench database (bench/benchdb.py: PostgreSQL ``<name>_bench`` with DATABASE_URL,
   else a fresh SQLite file): ``load_demo`` (the Cần Thơ units, one account per role, registers,
   the 313/UBND story with its tasks) plus ``--documents`` more documents.
2. Starts ``dieuhanh serve`` with its default settings (workers, threads, timeouts, recycling)
   and ``dieuhanh worker --interval 5`` (reminders), both on 127.0.0.1 only.
3. ``--users`` clients (threads, one keep-alive connection each, cookies kept) log in as the demo
   accounts in turn, then for ``--seconds`` (and at most ``--max-requests`` in all) open: the home
   page, "Việc của tôi", a document page they may see, a search, the dashboard; every 50th request
   of each client is an upload (a clerk files a document through the API with the browser session;
   a doer attaches a file to a progress note). ``--think`` seconds (mean, uniform 0–2×) between
   requests.
4. Prints per page: requests, errors, p50/p95/max in ms; the throughput; the errors by kind.
   An error is a connection failure or any status other than 200/201/302 (409 for a duplicate
   upload is not expected either).
5. ``--chaos``: one third into the run, ``kill -9`` of the server (master and workers) and of the
   reminder worker; both are started again 2 s later. Errors while the server is down are counted
   apart. After the run (with or without ``--chaos``): integrity checks — no orphan rows, gapless
   numbering per register and year with counters in step, no duplicate reminders, no file row
   without its file; files no row names are listed too.

No new dependency: the clients use ``http.client`` from the standard library.
"""

from __future__ import annotations

import argparse
import http.client
import os
import random
import re
import shutil
import signal
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import uuid
from collections import Counter, defaultdict
from pathlib import Path
from urllib.parse import urlencode

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

from benchdb import prepare_database, setup_django  # noqa: E402  (bench/ is the script folder)

PAGES = (("home", 25), ("my_tasks", 20), ("document", 25), ("search", 15), ("dashboard", 15))
UPLOAD_EVERY = 50
OK = {200, 201, 302}
CSRF_INPUT = re.compile(r'name="csrfmiddlewaretoken" value="([^"]+)"')


def parse_args() -> argparse.Namespace:
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("--seconds", type=float, default=300)
    p.add_argument("--users", type=int, default=100)
    p.add_argument("--think", type=float, default=0.5, help="mean seconds between a client's requests")
    p.add_argument("--max-requests", type=int, default=200_000)
    p.add_argument("--documents", type=int, default=300, help="documents added to the demo data")
    p.add_argument("--chaos", action="store_true", help="kill -9 the server and the worker mid-run")
    p.add_argument("--port", type=int, default=8180)
    p.add_argument("--sqlite", default="/tmp/dieuhanh-load-bench.sqlite3", help="SQLite file (without DATABASE_URL)")
    p.add_argument("--reuse", action="store_true", help="keep the bench database built by an earlier run")
    p.add_argument("--seed", type=int, default=20261207)
    return p.parse_args()


# --- the processes ------------------------------------------------------------------------------


class Processes:
    """``dieuhanh serve`` and ``dieuhanh worker``, each in its own process group (kill -9 reaches
    the gunicorn workers too)."""

    def __init__(self, port: int, env: dict[str, str], logdir: Path) -> None:
        self.port, self.env, self.logdir = port, env, logdir
        self.server: subprocess.Popen[bytes] | None = None
        self.worker: subprocess.Popen[bytes] | None = None

    def _start(self, *args: str, log: str) -> subprocess.Popen[bytes]:
        out = open(self.logdir / log, "ab")  # noqa: SIM115 - the child keeps it
        return subprocess.Popen([sys.executable, "-m", "dieuhanh.cli", *args], env=self.env, stdout=out,
                                stderr=subprocess.STDOUT, start_new_session=True)

    def start(self) -> None:
        self.server = self._start("serve", "--bind", f"127.0.0.1:{self.port}", log="serve.log")
        self.worker = self._start("worker", "--interval", "5", log="worker.log")
        deadline = time.monotonic() + 120
        while time.monotonic() < deadline:
            try:
                conn = http.client.HTTPConnection("127.0.0.1", self.port, timeout=5)
                conn.request("GET", "/tai-khoan/dang-nhap/")
                if conn.getresponse().status == 200:
                    return
            except OSError:
                pass
            if self.server.poll() is not None:
                raise SystemExit(f"dieuhanh serve exited; see {self.logdir / 'serve.log'}")
            time.sleep(0.5)
        raise SystemExit("dieuhanh serve did not answer within 120 s")

    def kill9(self) -> None:
        for proc in (self.server, self.worker):
            if proc is not None and proc.poll() is None:
                os.killpg(proc.pid, signal.SIGKILL)
                proc.wait()

    def stop(self) -> None:
        for proc in (self.server, self.worker):
            if proc is not None and proc.poll() is None:
                os.killpg(proc.pid, signal.SIGTERM)
                try:
                    proc.wait(30)
                except subprocess.TimeoutExpired:
                    os.killpg(proc.pid, signal.SIGKILL)
                    proc.wait()


# --- one client ---------------------------------------------------------------------------------


class Stats:
    def __init__(self) -> None:
        self.lock = threading.Lock()
        self.times: dict[str, list[float]] = defaultdict(list)
        self.errors: Counter[str] = Counter()
        self.during_chaos: Counter[str] = Counter()
        self.requests = 0
        self.chaos = threading.Event()  # set while the server is down on purpose

    def add(self, page: str, seconds: float, error: str | None) -> None:
        with self.lock:
            self.requests += 1
            if error is None:
                self.times[page].append(seconds)
            elif self.chaos.is_set():
                self.during_chaos[f"{page}: {error}"] += 1
            else:
                self.errors[f"{page}: {error}"] += 1


class Client:
    def __init__(self, port: int, account: object, password: str, rng: random.Random) -> None:
        self.port, self.account, self.password, self.rng = port, account, password, rng
        self.cookies: dict[str, str] = {}
        self.conn: http.client.HTTPConnection | None = None

    def request(self, method: str, path: str, body: bytes | None = None,
                headers: dict[str, str] | None = None) -> tuple[int, bytes]:
        all_headers = {"Cookie": "; ".join(f"{k}={v}" for k, v in self.cookies.items()), **(headers or {})}
        for attempt in (1, 2):  # a kept-alive connection the server closed meanwhile: one retry
            if self.conn is None:
                self.conn = http.client.HTTPConnection("127.0.0.1", self.port, timeout=60)
            try:
                self.conn.request(method, path, body=body, headers=all_headers)
                response = self.conn.getresponse()
                data = response.read()
            except (http.client.RemoteDisconnected, BrokenPipeError, ConnectionResetError):
                self.conn.close()
                self.conn = None
                if attempt == 2 or method != "GET":
                    raise
                continue
            for header in response.headers.get_all("Set-Cookie") or []:
                name, _sep, rest = header.partition("=")
                self.cookies[name.strip()] = rest.split(";", 1)[0]
            if response.getheader("Connection", "").lower() == "close":
                self.conn.close()
                self.conn = None
            return response.status, data
        raise AssertionError("unreachable")

    def login(self) -> bool:
        status, page = self.request("GET", "/tai-khoan/dang-nhap/")
        found = CSRF_INPUT.search(page.decode("utf-8", "replace"))
        if status != 200 or not found:
            return False
        form = urlencode({"csrfmiddlewaretoken": found.group(1), "username": self.account.username,
                          "password": self.password}).encode()
        status, _page = self.request("POST", "/tai-khoan/dang-nhap/", form, {
            "Content-Type": "application/x-www-form-urlencoded", "Referer": f"http://127.0.0.1:{self.port}/"})
        return status == 302 and "sessionid" in self.cookies

    def page(self, name: str) -> tuple[str, str]:
        """(method, path) of one visit to ``name``."""
        if name == "home":
            return "GET", "/"
        if name == "my_tasks":
            return "GET", "/nhiem-vu/"
        if name == "document" and self.account.document_ids:
            return "GET", f"/van-ban/{self.rng.choice(self.account.document_ids)}/"
        if name == "search":
            from load_data import SEARCHES

            return "GET", "/van-ban/tim-kiem/?" + urlencode({"q": self.rng.choice(SEARCHES)})
        return "GET", "/nhiem-vu/tong-hop/"  # also "document" for an account that sees none

    def upload(self) -> tuple[str, int]:
        """File a document (clerks) or attach a file to a progress note (doers); ('', 0) if neither."""
        token = uuid.uuid4().hex
        text = (f"ỦY BAN NHÂN DÂN PHƯỜNG\nSố: {self.rng.randrange(10**6)}/UBND-{token[:6]}\n"
                f"V/v báo cáo tiến độ {token}\n" + "Nội dung báo cáo chi tiết. " * 400).encode()
        boundary = uuid.uuid4().hex
        headers = {"Content-Type": f"multipart/form-data; boundary={boundary}",
                   "X-CSRFToken": self.cookies.get("csrftoken", ""),
                   "Referer": f"http://127.0.0.1:{self.port}/"}
        if self.account.register_id is not None:
            fields = {"register": str(self.account.register_id)}
            path = "/api/documents"
        elif self.account.assignment_id is not None:
            fields = {"csrfmiddlewaretoken": self.cookies.get("csrftoken", ""), "progress": "50",
                      "text": f"Cập nhật tiến độ {token}"}
            path = f"/nhiem-vu/phan-cong/{self.account.assignment_id}/tien-do/"
        else:
            return "", 0
        body = b"".join(f"--{boundary}\r\nContent-Disposition: form-data; name=\"{k}\"\r\n\r\n{v}\r\n".encode()
                        for k, v in fields.items())
        body += (f"--{boundary}\r\nContent-Disposition: form-data; name=\"file\"; filename=\"{token}.txt\"\r\n"
                 f"Content-Type: text/plain\r\n\r\n").encode() + text + f"\r\n--{boundary}--\r\n".encode()
        status, _data = self.request("POST", path, body, headers)
        return ("upload_api" if path.startswith("/api/") else "upload_note"), status


def run_client(client: Client, stats: Stats, start: threading.Barrier, stop_at: list[float],
               max_requests: int, think: float) -> None:
    names = [n for n, _w in PAGES]
    weights = [w for _n, w in PAGES]
    try:
        logged_in = client.login()
    except OSError:
        logged_in = False
    start.wait()
    if not logged_in:
        stats.add("login", 0, "login failed")
        return
    count = 0
    while time.monotonic() < stop_at[0] and stats.requests < max_requests:
        count += 1
        began = time.monotonic()
        name, status, error = "", 0, None
        try:
            if count % UPLOAD_EVERY == 0:
                name, status = client.upload()
            if not name:  # not an upload turn, or this account has nowhere to upload
                name = client.rng.choices(names, weights)[0]
                status, _data = client.request(*client.page(name))
            if status not in OK:
                error = f"HTTP {status}"
        except OSError as exc:
            error = type(exc).__name__
            if client.conn is not None:
                client.conn.close()
                client.conn = None
        stats.add(name, time.monotonic() - began, error)
        if think > 0:
            time.sleep(client.rng.uniform(0, 2 * think))


# --- the run ------------------------------------------------------------------------------------


def percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(round(q * (len(ordered) - 1))))]


def report(stats: Stats, seconds: float) -> None:
    print(f"\n{'page':<12} {'ok':>7} {'p50 ms':>8} {'p95 ms':>8} {'max ms':>8}")
    total = 0
    for name in [n for n, _w in PAGES] + ["upload_api", "upload_note"]:
        times = stats.times.get(name, [])
        total += len(times)
        if times:
            print(f"{name:<12} {len(times):>7} {statistics.median(times) * 1000:>8.0f} "
                  f"{percentile(times, 0.95) * 1000:>8.0f} {max(times) * 1000:>8.0f}")
    every = [t for times in stats.times.values() for t in times]
    if every:
        print(f"{'all':<12} {len(every):>7} {statistics.median(every) * 1000:>8.0f} "
              f"{percentile(every, 0.95) * 1000:>8.0f} {max(every) * 1000:>8.0f}")
    print(f"\nthroughput: {total / seconds:.1f} requests/s over {seconds:.0f} s")
    print(f"errors: {sum(stats.errors.values())}" + "".join(f"\n  {k}: {v}" for k, v in stats.errors.most_common()))
    if stats.during_chaos:
        print(f"failed while the server was down on purpose: {sum(stats.during_chaos.values())}"
              + "".join(f"\n  {k}: {v}" for k, v in stats.during_chaos.most_common()))


def chaos(procs: Processes, stats: Stats, at: float) -> None:
    time.sleep(max(at - time.monotonic(), 0))
    stats.chaos.set()
    print(f"chaos: kill -9 server (pid {procs.server.pid}) and worker (pid {procs.worker.pid})", flush=True)
    procs.kill9()
    time.sleep(2)
    began = time.monotonic()
    procs.start()
    print(f"chaos: server and worker started again, answering after {time.monotonic() - began:.1f} s", flush=True)
    time.sleep(1)
    stats.chaos.clear()


def main() -> int:
    args = parse_args()
    # Files and logs beside the database they belong to: rebuilt with it, kept with --reuse.
    media = Path(tempfile.gettempdir()) / f"dieuhanh-load-bench-{args.port}"
    if not args.reuse:
        shutil.rmtree(media, ignore_errors=True)
    media.mkdir(parents=True, exist_ok=True)
    os.environ.update({"MEDIA_ROOT": str(media / "media"), "DIEUHANH_VAR": str(media / "var"),
                       "TWO_FACTOR_REQUIRED_ROLES": ""})  # the demo's accounts have no authenticator
    label = prepare_database(args)
    setup_django()
    import load_data
    from django.db import connections

    from dieuhanh.web.management.commands.load_demo import PASSWORD

    began = time.monotonic()
    if not args.reuse:
        load_data.build(args.documents, args.seed)
    accounts = load_data.plan()
    connections.close_all()
    print(f"{label}: {len(accounts)} accounts, data ready in {time.monotonic() - began:.0f} s; "
          f"media and logs under {media}", flush=True)
    print("uptime:", subprocess.run(["uptime"], capture_output=True, text=True).stdout.strip())

    procs = Processes(args.port, {**os.environ}, media)
    procs.start()
    stats = Stats()
    rng = random.Random(args.seed)
    clients = [Client(args.port, accounts[i % len(accounts)], PASSWORD, random.Random(rng.random()))
               for i in range(args.users)]
    start = threading.Barrier(args.users + 1)
    stop_at = [float("inf")]
    threads = [threading.Thread(target=run_client, args=(c, stats, start, stop_at, args.max_requests, args.think),
                                daemon=True) for c in clients]
    try:
        for thread in threads:
            thread.start()
        start.wait()  # every client has logged in (or failed to)
        t0 = time.monotonic()
        stop_at[0] = t0 + args.seconds
        print(f"{args.users} clients logged in; running {args.seconds:.0f} s", flush=True)
        if args.chaos:
            threading.Thread(target=chaos, args=(procs, stats, t0 + args.seconds / 3), daemon=True).start()
        for thread in threads:
            thread.join(args.seconds + 120)
        elapsed = time.monotonic() - t0
    finally:
        procs.stop()
    report(stats, elapsed)
    print("uptime:", subprocess.run(["uptime"], capture_output=True, text=True).stdout.strip())
    print("\nintegrity:")
    failed = 0
    for check, count, detail in load_data.integrity_report(media / "media"):
        print(f"  {'OK ' if count == 0 else 'BAD'} {check}: {count}{' — ' + detail if detail else ''}")
        failed += count if check != "files no row names" else 0
    return 1 if failed or sum(stats.errors.values()) else 0


if __name__ == "__main__":
    sys.exit(main())

"""``dieuhanh manage worker [--once] [--interval N]``: reminders, escalation and daily digests."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError

from dieuhanh.tasks import worker


class Command(BaseCommand):
    help = "Gửi nhắc việc, báo cáo vượt cấp và thư tổng hợp hằng ngày (reminders, escalation, daily digests)."

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument("--once", action="store_true", help="chạy một lượt rồi thoát (one round, then exit)")
        parser.add_argument("--interval", type=float, default=60.0,
                            help="số giây giữa hai lượt, mặc định 60 (seconds between rounds)")
        parser.add_argument("--worker-id", default="", help="tên tiến trình trong bảng nhận việc (claim name)")
        parser.add_argument("--parent-pid", type=int, default=0, help=argparse_suppress())

    def handle(self, *args: Any, **options: Any) -> None:
        worker_id = options["worker_id"] or worker.default_worker_id()
        if options["once"]:
            stats = worker.run_once(worker_id=worker_id)
            self.stdout.write(str(stats))
            from dieuhanh.documents.intake.jobs import run_pending

            self.stdout.write(f"Tệp tải lên đã đọc (intake jobs): {run_pending(worker_id)}")
            return
        if options["interval"] <= 0:
            raise CommandError("--interval phải lớn hơn 0 (must be positive)")
        self.stdout.write(f"Tiến trình nhắc việc {worker_id} đang chạy, mỗi {options['interval']:g} giây "
                          "(worker running; SIGTERM/Ctrl+C to stop)")
        self.stdout.flush()

        def echo(line: str) -> None:
            self.stdout.write(line)
            self.stdout.flush()

        worker.loop(options["interval"], worker_id=worker_id, echo=echo, parent_pid=options["parent_pid"] or None)
        self.stdout.write("Đã dừng tiến trình nhắc việc (worker stopped)")


def argparse_suppress() -> str:
    import argparse

    return argparse.SUPPRESS

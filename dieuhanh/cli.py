"""Command line: ``dieuhanh parse FILE...`` prints what the parser read, as JSON.

Exit codes: 0 every file was read; 2 at least one file could not be read (the
others are still printed); 3 the parser failed unexpectedly on some file (a bug:
the message says so, no traceback unless DIEUHANH_DEBUG=1).
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import traceback
from pathlib import Path
from typing import Any, Sequence, TextIO

from dieuhanh import __version__

EXIT_OK = 0
EXIT_UNREADABLE = 2
EXIT_INTERNAL = 3

STDIN_NAME = "-"
STDIN_SOURCE = "<stdin>"


class _Unreadable(Exception):
    """A file the CLI itself refuses before handing it to the parser."""


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="dieuhanh",
        description=(
            "Điều hành: đọc văn bản hành chính và theo dõi nhiệm vụ đến khi hoàn thành "
            "(carry directives of Vietnamese People's Committees through to the end)."
        ),
    )
    parser.add_argument(
        "--version", action="version", version=f"%(prog)s {__version__}",
        help="in số phiên bản rồi thoát (show the version and exit)",
    )
    sub = parser.add_subparsers(dest="command", metavar="LỆNH (COMMAND)")
    sub.required = True

    parse = sub.add_parser(
        "parse",
        help="đọc văn bản, in kết quả dạng JSON (parse documents, print JSON)",
        description=(
            "Đọc từng tệp .txt/.md/.docx/.pdf và in một đối tượng JSON cho mỗi tệp; "
            "nhiều tệp thì mỗi dòng một đối tượng (JSON Lines). "
            "Dùng '-' để đọc văn bản từ đầu vào chuẩn. "
            "(Read each file and print one JSON object per file, one per line for several "
            "files; '-' reads text from standard input.) "
            "Mã thoát (exit codes): 0 đọc được hết (all read), 2 có tệp không đọc được "
            "(some file unreadable), 3 lỗi nội bộ (internal error)."
        ),
    )
    parse.add_argument("files", nargs="+", metavar="TỆP",
                       help="đường dẫn tệp, hoặc '-' cho đầu vào chuẩn (file path, or '-' for stdin)")
    parse.add_argument("--pretty", action="store_true",
                       help="in JSON thụt lề, dễ đọc (indented JSON)")
    parse.add_argument("--no-body", action="store_true",
                       help="bỏ trường \"body\" (phần thân văn bản) khỏi kết quả (omit the body text)")
    parse.add_argument("--trust-roots", metavar="THƯ_MỤC", default=None,
                       help="thư mục chứng thư gốc tin cậy để kiểm tra chữ ký số (mặc định: biến môi trường "
                            "DIEUHANH_TRUST_ROOTS) (folder of trusted root certificates for PDF signatures)")
    parse.set_defaults(handler=cmd_parse)

    from dieuhanh.cli_server import add_commands

    add_commands(sub)
    __import__("dieuhanh.cli_export", fromlist=["add_commands"]).add_commands(sub)  # export tasks
    __import__("dieuhanh.cli_ops", fromlist=["add_commands"]).add_commands(sub)  # audit, backup, restore, check
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    _utf8_streams()
    parser = build_parser()
    args = parser.parse_args(argv)
    try:
        return int(args.handler(args))
    except BrokenPipeError:
        # `dieuhanh parse … | head`: the reader went away; stop quietly.
        try:
            devnull = os.open(os.devnull, os.O_WRONLY)
            os.dup2(devnull, sys.stdout.fileno())
        except (OSError, ValueError, AttributeError):
            pass
        return EXIT_OK
    except KeyboardInterrupt:
        print("dieuhanh: đã dừng (interrupted)", file=sys.stderr)
        return 130


# --- parse -----------------------------------------------------------------


def cmd_parse(args: argparse.Namespace) -> int:
    status = EXIT_OK
    _TRUST_ROOTS[0] = args.trust_roots
    out = sys.stdout
    for name in args.files:
        try:
            result = _parse_one(name)
        except _Unreadable as err:
            _complain(name, str(err))
            status = max(status, EXIT_UNREADABLE)
            continue
        except Exception as err:  # DocumentReadError is handled in _parse_one
            detail = f"{type(err).__name__}: {err}" if str(err) else type(err).__name__
            _complain(name, f"lỗi nội bộ khi phân tích văn bản (internal parser error: {detail}); "
                            "xin báo lỗi kèm tệp này")
            if os.environ.get("DIEUHANH_DEBUG"):
                traceback.print_exc(file=sys.stderr)
            status = max(status, EXIT_INTERNAL)
            continue
        if args.no_body:
            result.pop("body", None)
        _emit(out, result, pretty=args.pretty)
    return status


def _parse_one(name: str) -> dict[str, Any]:
    """Read and parse one argument; raise _Unreadable with a Vietnamese message."""
    from dieuhanh.vanban import DocumentReadError, parse_file, parse_text

    if name == STDIN_NAME:
        text = _read_stdin()
        if not text.strip():
            raise _Unreadable("đầu vào chuẩn trống, không có văn bản để đọc (standard input is empty)")
        return parse_text(text, source=STDIN_SOURCE)

    path = Path(name)
    if not path.exists():
        raise _Unreadable("không tìm thấy tệp (file not found)")
    if path.is_dir():
        raise _Unreadable("đây là thư mục, không phải tệp (is a directory)")
    try:
        if path.stat().st_size == 0:
            raise _Unreadable("tệp trống, không có nội dung để đọc (empty file)")
        return parse_file(path, progress=_ocr_progress(name), trust_roots=_TRUST_ROOTS[0])
    except DocumentReadError as err:
        raise _Unreadable(str(err) or "không đọc được tệp (cannot read file)") from err
    except PermissionError as err:
        raise _Unreadable("không có quyền đọc tệp (permission denied)") from err
    except OSError as err:
        reason = err.strerror or type(err).__name__
        raise _Unreadable(f"không đọc được tệp (cannot read file: {reason})") from err


_TRUST_ROOTS: list[str | None] = [None]


def _ocr_progress(name: str):  # type: ignore[no-untyped-def]
    """A progress line on stderr while a scan is read: "Đang nhận dạng trang 2/3"."""
    def report(page: int, pages: int) -> None:
        print(f"dieuhanh parse: {name}: Đang nhận dạng trang {page}/{pages}", file=sys.stderr)
        sys.stderr.flush()

    return report


def _read_stdin() -> str:
    stream: Any = sys.stdin
    buffer = getattr(stream, "buffer", None)
    if buffer is None:  # replaced by a text-only stream (tests, embedding)
        return stream.read()
    data = buffer.read()
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError as err:
        raise _Unreadable("đầu vào chuẩn không phải văn bản UTF-8 (standard input is not UTF-8 text)") from err


def _emit(out: TextIO, result: dict[str, Any], *, pretty: bool) -> None:
    if pretty:
        out.write(json.dumps(result, ensure_ascii=False, indent=2) + "\n")
    else:
        out.write(json.dumps(result, ensure_ascii=False) + "\n")
    out.flush()


def _complain(name: str, message: str) -> None:
    shown = "(đầu vào chuẩn / stdin)" if name == STDIN_NAME else name
    print(f"dieuhanh parse: {shown}: {message}", file=sys.stderr)
    sys.stderr.flush()


def _utf8_streams() -> None:
    """Vietnamese output must not die on a non-UTF-8 locale (LANG=C on old systems)."""
    for stream in (sys.stdout, sys.stderr):
        encoding = (getattr(stream, "encoding", None) or "").lower().replace("-", "").replace("_", "")
        if encoding != "utf8" and hasattr(stream, "reconfigure"):
            try:
                stream.reconfigure(encoding="utf-8")
            except (ValueError, OSError):
                pass


if __name__ == "__main__":
    sys.exit(main())

"""`dieuhanh parse`: JSON per file, JSON Lines for several, Vietnamese errors, exit codes."""

from __future__ import annotations

import io
import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from dieuhanh import __version__
from dieuhanh.cli import main

from tests.conftest import SHARED

REPO = Path(__file__).resolve().parents[1]
SEED = SHARED / "seeds" / "000_3d324eb5ea0723cd.txt"
CORPUS = SHARED / "corpus" / "dev"

needs_shared = pytest.mark.skipif(not SEED.exists() or not CORPUS.is_dir(), reason="shared/ data folder not present")


def run(capsys: pytest.CaptureFixture[str], *argv: str | os.PathLike[str]) -> tuple[int, str, str]:
    code = main(["parse", *map(os.fspath, argv)])
    captured = capsys.readouterr()
    return code, captured.out, captured.err


def json_lines(out: str) -> list[dict]:
    lines = out.splitlines()
    assert all(line.strip() for line in lines), "blank line in JSON Lines output"
    return [json.loads(line) for line in lines]


def json_stream(out: str) -> list[dict]:
    """Decode concatenated (pretty) JSON objects separated by whitespace."""
    decoder = json.JSONDecoder()
    objects, pos = [], 0
    while True:
        while pos < len(out) and out[pos].isspace():
            pos += 1
        if pos == len(out):
            return objects
        obj, pos = decoder.raw_decode(out, pos)
        objects.append(obj)


@pytest.fixture
def empty_file(tmp_path: Path) -> Path:
    path = tmp_path / "trong.txt"
    path.write_bytes(b"")
    return path


# --- the seed document ---------------------------------------------------------


@needs_shared
def test_seed_header_and_deadlines(capsys):
    code, out, err = run(capsys, SEED)
    assert (code, err) == (0, "")
    [doc] = json_lines(out)
    assert doc["number"] == 313
    assert doc["symbol"] == "UBND"
    assert doc["date"] == "2020-03-02"
    assert sorted(d["date"] for d in doc["deadlines"]) == ["2020-04-10", "2020-05-01"]
    assert doc["source"] == os.fspath(SEED)


@needs_shared
def test_output_has_every_label_key_plus_tasks_warnings_body(capsys):
    label_keys = set(json.loads((CORPUS / "001.json").read_text(encoding="utf-8")))
    code, out, _ = run(capsys, SEED)
    [doc] = json_lines(out)
    assert code == 0
    assert label_keys | {"tasks", "warnings", "body"} <= set(doc)
    assert isinstance(doc["tasks"], list) and isinstance(doc["warnings"], list)
    assert "Kế hoạch số 29/KH-UBND" in doc["body"]


@needs_shared
def test_output_is_utf8_not_escaped(capsys):
    _, out, _ = run(capsys, SEED)
    assert "Vương Công Khanh" in out
    assert "\\u" not in out


@needs_shared
def test_no_body_drops_only_body(capsys):
    _, with_body, _ = run(capsys, SEED)
    code, out, _ = run(capsys, SEED, "--no-body")
    [full], [slim] = json_lines(with_body), json_lines(out)
    assert code == 0
    assert "body" not in slim
    assert set(full) - set(slim) == {"body"}


# --- several files ---------------------------------------------------------------


@needs_shared
def test_several_files_give_json_lines(capsys):
    files = [SEED, CORPUS / "001.txt", CORPUS / "002.txt"]
    code, out, err = run(capsys, *files)
    assert (code, err) == (0, "")
    docs = json_lines(out)
    assert len(docs) == len(out.splitlines()) == 3
    assert [d["source"] for d in docs] == [os.fspath(f) for f in files]
    assert docs[1]["number_symbol"] == "2739/VPCP-ĐMDN"


@needs_shared
def test_pretty_single_file_is_valid_json(capsys):
    code, out, _ = run(capsys, SEED, "--pretty")
    doc = json.loads(out)
    assert code == 0
    assert doc["number"] == 313
    assert out.startswith("{\n  \"")


@needs_shared
def test_pretty_several_files_are_separate_objects(capsys):
    code, out, _ = run(capsys, "--pretty", SEED, CORPUS / "001.txt")
    docs = json_stream(out)
    assert code == 0
    assert [d["number"] for d in docs] == [313, 2739]
    assert "\n}\n{\n" in out


# --- files that cannot be read ----------------------------------------------------


@needs_shared
def test_missing_file_exit_2_and_the_other_file_is_printed(capsys, tmp_path):
    missing = tmp_path / "khong-co.txt"
    code, out, err = run(capsys, missing, SEED)
    assert code == 2
    assert f"dieuhanh parse: {missing}: " in err
    assert "không tìm thấy tệp" in err
    assert "Traceback" not in err
    [doc] = json_lines(out)
    assert doc["number"] == 313


def test_empty_file_exit_2(capsys, empty_file):
    code, out, err = run(capsys, empty_file)
    assert code == 2
    assert out == ""
    assert err.startswith(f"dieuhanh parse: {empty_file}: ")
    assert "trống" in err


def test_blank_text_file_exit_2(capsys, tmp_path):
    blank = tmp_path / "trang.txt"
    blank.write_text(" \n\t\n", encoding="utf-8")
    code, out, err = run(capsys, blank)
    assert code == 2
    assert out == ""
    assert err.startswith(f"dieuhanh parse: {blank}: ")
    assert "Traceback" not in err


def test_binary_file_exit_2(capsys, tmp_path):
    junk = tmp_path / "anh.png"
    junk.write_bytes(b"\x89PNG\r\n\x1a\n" + bytes(range(256)) * 4)
    code, out, err = run(capsys, junk)
    assert code == 2  # an image: NeedsOCRError or unsupported, never an internal error
    assert out == ""
    assert err.startswith(f"dieuhanh parse: {junk}: ")


@needs_shared
def test_docx_file(capsys, tmp_path):
    docx = pytest.importorskip("docx")
    document = docx.Document()
    for line in SEED.read_text(encoding="utf-8").replace("**", "").splitlines():
        document.add_paragraph(line.rstrip())
    path = tmp_path / "313-UBND.docx"
    document.save(path)
    code, out, err = run(capsys, path)
    assert (code, err) == (0, "")
    [doc] = json_lines(out)
    assert (doc["number"], doc["symbol"], doc["date"]) == (313, "UBND", "2020-03-02")
    assert sorted(d["date"] for d in doc["deadlines"]) == ["2020-04-10", "2020-05-01"]


def test_directory_exit_2(capsys, tmp_path):
    code, out, err = run(capsys, tmp_path)
    assert code == 2
    assert out == ""
    assert "thư mục" in err


@needs_shared
def test_document_read_errors_are_reported_with_their_message(capsys, monkeypatch):
    import dieuhanh.vanban as vanban

    def scanned(path, **options):
        raise vanban.NeedsOCRError("tệp PDF là bản quét, chưa có lớp chữ để đọc")

    monkeypatch.setattr(vanban, "parse_file", scanned)
    code, out, err = run(capsys, SEED)
    assert code == 2
    assert out == ""
    assert err == f"dieuhanh parse: {SEED}: tệp PDF là bản quét, chưa có lớp chữ để đọc\n"


@needs_shared
def test_unexpected_parser_exception_exit_3_without_traceback(capsys, monkeypatch, tmp_path):
    import dieuhanh.vanban as vanban

    real = vanban.parse_file
    broken = tmp_path / "hong.txt"
    broken.write_text("Số: 1/UBND\n", encoding="utf-8")

    def flaky(path, **options):
        if Path(path) == broken:
            raise IndexError("list index out of range")
        return real(path, **options)

    monkeypatch.setattr(vanban, "parse_file", flaky)
    monkeypatch.delenv("DIEUHANH_DEBUG", raising=False)
    code, out, err = run(capsys, broken, SEED, tmp_path / "khong-co.txt")
    assert code == 3  # worse than the unreadable file's 2
    assert "lỗi nội bộ khi phân tích" in err
    assert "IndexError" in err
    assert "Traceback" not in err
    assert [d["number"] for d in json_lines(out)] == [313]


# --- standard input ---------------------------------------------------------------


@needs_shared
def test_stdin_dash(capsys, monkeypatch):
    monkeypatch.setattr(sys, "stdin", io.TextIOWrapper(io.BytesIO(SEED.read_bytes()), encoding="utf-8"))
    code, out, err = run(capsys, "-")
    assert (code, err) == (0, "")
    [doc] = json_lines(out)
    assert doc["number_symbol"] == "313/UBND"
    assert doc["source"] == "<stdin>"


def test_stdin_empty_exit_2(capsys, monkeypatch):
    monkeypatch.setattr(sys, "stdin", io.StringIO("  \n"))
    code, out, err = run(capsys, "-")
    assert code == 2
    assert out == ""
    assert "trống" in err


def test_stdin_not_utf8_exit_2(capsys, monkeypatch):
    monkeypatch.setattr(sys, "stdin", io.TextIOWrapper(io.BytesIO(b"S\xf4: 5/UBND \xff\xfe"), encoding="utf-8"))
    code, out, err = run(capsys, "-")
    assert code == 2
    assert "UTF-8" in err


# --- top level ----------------------------------------------------------------------


def test_version(capsys):
    with pytest.raises(SystemExit) as exc:
        main(["--version"])
    assert exc.value.code == 0
    assert capsys.readouterr().out.strip() == f"dieuhanh {__version__}"


def test_no_command_is_a_usage_error(capsys):
    with pytest.raises(SystemExit) as exc:
        main([])
    assert exc.value.code == 2
    assert "usage" in capsys.readouterr().err


# --- the whole corpus: no internal error ever ------------------------------------------


@needs_shared
def test_corpus_and_seeds_parse_without_errors(capsys):
    files = sorted(CORPUS.glob("*.txt")) + sorted((SHARED / "seeds").glob("*.txt"))
    assert len(files) >= 40
    code, out, err = run(capsys, "--no-body", *files)
    assert err == ""
    assert code == 0
    docs = json_lines(out)
    assert [d["source"] for d in docs] == [os.fspath(f) for f in files]


# --- as a real process ---------------------------------------------------------------


def _subprocess(*args: str, stdin: bytes | None = None) -> subprocess.CompletedProcess[bytes]:
    env = dict(os.environ, LC_ALL="C", LANG="C")
    env.pop("PYTHONIOENCODING", None)
    env.pop("DIEUHANH_DEBUG", None)
    env["PYTHONPATH"] = os.pathsep.join(filter(None, [str(REPO), env.get("PYTHONPATH")]))
    return subprocess.run([sys.executable, "-m", "dieuhanh.cli", *args], input=stdin,
                          capture_output=True, timeout=60, cwd=REPO, env=env)


@needs_shared
def test_subprocess_parse_with_stdin_and_missing_file(tmp_path):
    missing = tmp_path / "khong-co.txt"
    proc = _subprocess("parse", os.fspath(SEED), "-", os.fspath(missing), stdin=SEED.read_bytes())
    out, err = proc.stdout.decode("utf-8"), proc.stderr.decode("utf-8")
    assert proc.returncode == 2, err
    assert "Traceback" not in err
    assert f"dieuhanh parse: {missing}: không tìm thấy tệp" in err
    docs = json_lines(out)
    assert [d["number"] for d in docs] == [313, 313]
    assert [d["date"] for d in docs] == ["2020-03-02", "2020-03-02"]
    assert "Vương Công Khanh" in out  # UTF-8 even under LC_ALL=C


def test_subprocess_version():
    proc = _subprocess("--version")
    assert proc.returncode == 0
    assert proc.stdout.decode().strip() == f"dieuhanh {__version__}"

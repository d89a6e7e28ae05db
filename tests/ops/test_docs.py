"""docs/security.md and docs/deploy.md point at files and tests that exist."""

from __future__ import annotations

import ast
import re

import pytest

from tests.conftest import REPO

DOCS = ["docs/security.md", "docs/deploy.md"]
PATH = re.compile(r"`((?:dieuhanh|tests|deploy|docs)/[\w./-]+?)(?:::(\w+))?`")


def test_functions(path) -> set[str]:  # type: ignore[no-untyped-def]
    tree = ast.parse(path.read_text(encoding="utf-8"))
    return {node.name for node in ast.walk(tree) if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef))}


test_functions.__test__ = False  # type: ignore[attr-defined]  # a helper, not a test


@pytest.mark.parametrize("doc", DOCS)
def test_every_path_and_test_named_exists(doc: str) -> None:
    text = (REPO / doc).read_text(encoding="utf-8")
    found = PATH.findall(text)
    assert found
    for path, name in found:
        if path == "docs/deploy-nginx.md":
            continue  # written with the server settings (issue 9 item 3)
        target = REPO / path
        assert target.exists(), f"{doc}: {path}"
        if name:
            assert name in test_functions(target), f"{doc}: {path}::{name}"


def test_security_checklist_names_many_tests() -> None:
    text = (REPO / "docs" / "security.md").read_text(encoding="utf-8")
    assert len({m for m in PATH.findall(text) if m[1]}) >= 50

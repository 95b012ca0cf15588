"""The domain stays pure: no web, database, device, network, process or thread imports."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

import queue_server.domain

FORBIDDEN = frozenset(
    {
        "fastapi",
        "starlette",
        "sqlmodel",
        "sqlalchemy",
        "websockets",
        "uvicorn",
        "escpos",
        "pyttsx3",
        "httpx",
        "requests",
        "aiohttp",
        "asyncpg",
        "psycopg",
        "socket",
        "sqlite3",
        "subprocess",
        "threading",
    }
)
DOMAIN = Path(queue_server.domain.__file__).parent
MODULES = sorted(DOMAIN.rglob("*.py"))


def imported_roots(tree: ast.AST) -> set[str]:
    roots: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            roots.update(alias.name.split(".")[0] for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
            roots.add(node.module.split(".")[0])
        elif (  # importlib.import_module("x") / __import__("x")
            isinstance(node, ast.Call)
            and isinstance(node.func, ast.Attribute | ast.Name)
            and getattr(node.func, "attr", getattr(node.func, "id", None))
            in ("import_module", "__import__")
            and node.args
            and isinstance(node.args[0], ast.Constant)
            and isinstance(node.args[0].value, str)
        ):
            roots.add(node.args[0].value.split(".")[0])
    return roots


def test_domain_modules_found() -> None:
    names = {p.name for p in MODULES}
    assert {"model.py", "queue.py", "ordering.py", "transitions.py", "calendar.py"} <= names


@pytest.mark.parametrize("path", MODULES, ids=lambda p: str(p.relative_to(DOMAIN)))
def test_domain_module_imports_nothing_impure(path: Path) -> None:
    tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
    bad = imported_roots(tree) & FORBIDDEN
    assert not bad, f"{path.name} imports {sorted(bad)}"


def test_the_check_catches_impure_imports() -> None:
    source = "import socket\nfrom sqlalchemy.orm import Session\nimport importlib\n"
    source += "importlib.import_module('httpx')\nimport os.path\nfrom . import model\n"
    assert imported_roots(ast.parse(source)) & FORBIDDEN == {"socket", "sqlalchemy", "httpx"}

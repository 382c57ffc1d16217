"""The engine package stays free of Django and its friends, so it runs anywhere."""

from __future__ import annotations

import ast
from pathlib import Path

import runtime.engine

FORBIDDEN = ("django", "channels", "rq", "django_rq", "redis")
ENGINE = Path(runtime.engine.__file__).resolve().parent


def _imports(tree: ast.AST) -> list[str]:
    names = []
    for item in ast.walk(tree):
        if isinstance(item, ast.Import):
            names.extend(alias.name for alias in item.names)
        elif isinstance(item, ast.ImportFrom) and item.module and item.level == 0:
            names.append(item.module)
    return names


def test_engine_imports_nothing_from_django_channels_or_rq() -> None:
    offenders = []
    files = sorted(ENGINE.rglob("*.py"))
    assert len(files) > 10
    for path in files:
        for name in _imports(ast.parse(path.read_text(), filename=str(path))):
            if name.split(".")[0] in FORBIDDEN:
                offenders.append(f"{path.relative_to(ENGINE)}: {name}")
    assert offenders == []


def test_engine_imports_without_django_installed_in_sys_modules() -> None:
    import subprocess
    import sys

    code = (
        "import sys, runtime.engine; "
        "bad = [m for m in sys.modules if m.split('.')[0] in ('django', 'channels', 'rq')]; "
        "assert not bad, bad"
    )
    subprocess.run([sys.executable, "-c", code], check=True, cwd=ENGINE.parent.parent)

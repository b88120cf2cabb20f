"""The architecture as rules: the core never reaches the Telegram layer; the wheel holds it all."""

from __future__ import annotations

import ast
import tomllib
from collections.abc import Iterator
from pathlib import Path

import pytest
from paths import REPO

OUR_FOLDERS = ("bot", "handlers", "config")
TELEGRAM_LAYER = ("telegram", "newsbrief.handlers")


def imported_modules(path: Path) -> Iterator[tuple[int, str]]:
    """Yield every absolute import in a file, lazy ones inside functions included."""
    for node in ast.walk(ast.parse(path.read_text(), filename=str(path))):
        if isinstance(node, ast.Import):
            for alias in node.names:
                yield node.lineno, alias.name
        elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
            yield node.lineno, node.module


def python_files(*folders: str) -> list[Path]:
    return sorted(p for folder in folders for p in (REPO / folder).rglob("*.py"))


def test_imported_modules_sees_lazy_imports(tmp_path: Path) -> None:
    module = tmp_path / "lazy.py"
    module.write_text("def f():\n    from telegram import Bot\n    import os.path\n")
    assert [name for _, name in imported_modules(module)] == ["telegram", "os.path"]


@pytest.mark.parametrize(
    "path", python_files("bot", "config"), ids=lambda p: str(p.relative_to(REPO))
)
def test_the_core_never_imports_the_telegram_layer(path: Path) -> None:
    reached = [
        f"line {line}: {name}"
        for line, name in imported_modules(path)
        if any(name == layer or name.startswith(layer + ".") for layer in TELEGRAM_LAYER)
    ]
    assert not reached, f"{path.relative_to(REPO)} imports the Telegram layer: {reached}"


def test_config_never_imports_handlers() -> None:
    for path in python_files("config"):
        names = [name for _, name in imported_modules(path)]
        assert not [n for n in names if n.startswith("newsbrief.handlers")], path


def test_every_import_uses_the_installed_names() -> None:
    """A bare `import bot` works only from a checkout, never from the installed wheel."""
    bare = [
        f"{path.relative_to(REPO)}:{line}: {name}"
        for path in python_files(*OUR_FOLDERS, "bench", "tools")
        for line, name in imported_modules(path)
        if name.split(".")[0] in OUR_FOLDERS
    ]
    assert not bare


def test_the_wheel_lists_every_package() -> None:
    """setuptools installs only the packages it is told of: a missed one breaks the install."""
    tool = tomllib.loads((REPO / "pyproject.toml").read_text())["tool"]["setuptools"]
    found = {
        "newsbrief." + ".".join(init.parent.relative_to(REPO).parts)
        for folder in OUR_FOLDERS
        for init in (REPO / folder).rglob("__init__.py")
    }
    assert found <= set(tool["packages"]), found - set(tool["packages"])
    for package in tool["packages"]:
        assert (REPO / Path(*package.split(".")[1:])).is_dir(), package
    assert tool["package-dir"] == {f"newsbrief.{folder}": folder for folder in OUR_FOLDERS}

"""The architecture as rules: the core never reaches the Telegram layer, reads never reach the
write side (ingest, story composing, the summarizer); the wheel holds it all."""

from __future__ import annotations

import ast
import tomllib
from collections.abc import Iterator
from pathlib import Path

import pytest
from paths import REPO

OUR_FOLDERS = ("bot", "handlers", "config")
TELEGRAM_LAYER = ("telegram", "newsbrief.handlers")
WRITE_SIDE = (
    "newsbrief.bot.ingest",
    "newsbrief.bot.stories.compose",
    "newsbrief.bot.stories.grouping",
    "newsbrief.bot.text.briefs",
    "newsbrief.bot.text.newsrank",
    "sumy",
)
READ_SIDE = (
    "bot/delivery",
    "bot/stories/listing.py",
    "bot/stories/sayings.py",
    "bot/stories/views.py",
    "bot/store/repository.py",
    "bot/text/selection.py",
    "handlers/chat_digests.py",
    "handlers/commands.py",
    "handlers/inline.py",
    "handlers/pages.py",
    "handlers/quotes.py",
)


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


def runtime_imports(path: Path, *, lazy: bool) -> Iterator[str]:
    """Yield what a file imports when loaded (and with `lazy`, what its functions import).

    `if TYPE_CHECKING:` imports are never run. `from a import b` yields `a.b` as well, since
    `b` may be a module.
    """

    def visit(node: ast.AST) -> Iterator[str]:
        if isinstance(node, ast.If) and ast.unparse(node.test).endswith("TYPE_CHECKING"):
            for child in node.orelse:
                yield from visit(child)
            return
        if not lazy and isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef | ast.Lambda):
            return
        if isinstance(node, ast.Import):
            yield from (alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
            yield node.module
            yield from (f"{node.module}.{alias.name}" for alias in node.names)
        for child in ast.iter_child_nodes(node):
            yield from visit(child)

    yield from visit(ast.parse(path.read_text(), filename=str(path)))


def module_files() -> dict[str, Path]:
    """Map each of our modules' installed names to its file."""
    found = {}
    for path in python_files(*OUR_FOLDERS):
        parts = path.relative_to(REPO).with_suffix("").parts
        found[".".join(("newsbrief", *parts[: -1 if parts[-1] == "__init__" else None]))] = path
    return found


def reached_from(start: str, modules: dict[str, Path]) -> dict[str, str]:
    """Every module a module loads, each with its importer: what it imports, its functions
    included, and what those load in turn (ours followed through)."""
    reached = {start: ""}
    todo = [start]
    while todo:
        importer = todo.pop()
        for name in runtime_imports(modules[importer], lazy=importer == start):
            while name not in modules and "." in name and not name.startswith(WRITE_SIDE):
                name = name.rpartition(".")[0]
            if (name in modules or name.startswith(WRITE_SIDE)) and name not in reached:
                reached[name] = importer
                if name in modules:
                    todo.append(name)
    return reached


def read_side_modules() -> list[str]:
    files = {path: name for name, path in module_files().items()}
    return sorted(files[p] for p in python_files(*READ_SIDE) if p.name != "__init__.py")


def test_reached_from_follows_lazy_imports_and_skips_type_only_ones(tmp_path: Path) -> None:
    reader, writer, root = tmp_path / "reader.py", tmp_path / "writer.py", tmp_path / "root.py"
    reader.write_text(
        "from typing import TYPE_CHECKING\nif TYPE_CHECKING:\n    import sumy\n"
        "import newsbrief.root\ndef f():\n    from newsbrief.writer import g\n"
    )
    writer.write_text("import sumy.summarizers\n")
    root.write_text("def ingest():\n    import sumy.nlp\n")  # only when its caller ingests
    modules = {"newsbrief.reader": reader, "newsbrief.writer": writer, "newsbrief.root": root}
    reached = reached_from("newsbrief.reader", modules)
    assert reached == {
        "newsbrief.reader": "",
        "newsbrief.root": "newsbrief.reader",
        "newsbrief.writer": "newsbrief.reader",
        "sumy.summarizers": "newsbrief.writer",
    }


@pytest.mark.parametrize("module", read_side_modules())
def test_the_read_side_never_loads_the_write_side(module: str) -> None:
    """Reads only read: a command or digest never loads ingest, story composing or sumy."""
    reached = reached_from(module, module_files())
    for name, importer in reached.items():
        if name.startswith(WRITE_SIDE):
            chain = [name, importer]
            while reached[chain[-1]]:
                chain.append(reached[chain[-1]])
            pytest.fail(f"{module} loads the write side: {' <- '.join(chain)}")


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

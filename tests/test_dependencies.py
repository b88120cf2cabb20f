"""Dependencies as rules: every import declared, installs match the lock, httpx as checked."""

from __future__ import annotations

import ast
import re
import sys
import tomllib
from importlib import metadata

import httpcore
import httpx
import pytest
from paths import REPO

from newsbrief.bot.feeds.fetch import CheckedNetworkBackend, new_client

OUR_FOLDERS = ("bot", "handlers", "config")
HTTPX_CHECKED = {"httpx": "0.28.1", "httpcore": "1.0.9"}
"""The versions whose private layout `bot/feeds/fetch.py:_connect_through` was read against."""


def _name(requirement: str) -> str:
    return re.split(r"[\s\[<>=!~;]", requirement, maxsplit=1)[0].lower().replace("_", "-")


def _declared(*extras: str) -> set[str]:
    project = tomllib.loads((REPO / "pyproject.toml").read_text())["project"]
    requirements = list(project["dependencies"])
    for extra in extras:
        requirements += project["optional-dependencies"][extra]
    return {_name(r) for r in requirements}


def _third_party_imports(*folders: str) -> set[str]:
    found: set[str] = set()
    for folder in folders:
        for path in (REPO / folder).rglob("*.py"):
            for node in ast.walk(ast.parse(path.read_text(), filename=str(path))):
                if isinstance(node, ast.Import):
                    found.update(alias.name.split(".")[0] for alias in node.names)
                elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
                    found.add(node.module.split(".")[0])
    return {m for m in found if m not in sys.stdlib_module_names and m != "newsbrief"}


def _distributions(module: str) -> set[str]:
    return {d.lower().replace("_", "-") for d in metadata.packages_distributions().get(module, [])}


def _locked(lock: str) -> dict[str, str]:
    text = (REPO / lock).read_text()
    return {
        name.lower().replace("_", "-"): version
        for name, version in re.findall(r"^([A-Za-z0-9_.-]+)==(\S+)", text, re.M)
    }


def test_every_module_the_product_imports_is_a_declared_dependency() -> None:
    declared = _declared()
    undeclared = {
        module: sorted(_distributions(module))
        for module in _third_party_imports(*OUR_FOLDERS)
        if not _distributions(module) & declared
    }
    assert undeclared == {}, "imported but not in [project.dependencies]"


def test_every_module_the_tests_and_benchmarks_import_is_declared_for_development() -> None:
    declared = _declared("dev")
    ours = {p.stem for p in (REPO / "tests").glob("*.py")} | {
        p.name for p in (REPO / "tests").iterdir() if p.is_dir()
    }
    undeclared = {
        module: sorted(_distributions(module))
        for module in _third_party_imports("tests", "bench") - ours - {"bench"}
        if not _distributions(module) & declared
    }
    assert undeclared == {}, "imported but not in [project.dependencies] or the dev extra"


@pytest.mark.parametrize("lock", ["requirements.lock", "requirements-dev.lock"])
def test_the_lock_pins_every_declared_dependency_with_hashes(lock: str) -> None:
    locked = _locked(lock)
    extras = ("dev",) if lock == "requirements-dev.lock" else ()
    assert _declared(*extras) - set(locked) == set()
    text = (REPO / lock).read_text()
    assert text.count("==") == len(locked) and text.count("--hash=sha256:") >= len(locked)


def test_the_runtime_lock_agrees_with_the_development_lock() -> None:
    runtime, development = _locked("requirements.lock"), _locked("requirements-dev.lock")
    assert {n: v for n, v in runtime.items() if development.get(n) != v} == {}


def test_httpx_is_the_version_whose_pool_fetch_replaces() -> None:
    """`_connect_through` swaps httpx's private pool: re-read httpx before moving this pin."""
    installed = {name: metadata.version(name) for name in HTTPX_CHECKED}
    assert installed == HTTPX_CHECKED, (
        "httpx or httpcore changed: re-read httpx.AsyncHTTPTransport (its _pool) against "
        "bot/feeds/fetch.py:_connect_through, then update HTTPX_CHECKED and the lock"
    )
    assert _locked("requirements.lock")["httpx"] == HTTPX_CHECKED["httpx"]


async def test_the_client_connects_through_the_checked_backend() -> None:
    async with new_client() as client:
        transport = client._transport
        assert isinstance(transport, httpx.AsyncHTTPTransport)
        pool = transport._pool
        assert isinstance(pool, httpcore.AsyncConnectionPool)
        assert isinstance(pool._network_backend, CheckedNetworkBackend)

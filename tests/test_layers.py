"""Each layer imports only the layers below it (docs/development.md draws them)."""

from __future__ import annotations

import ast
from pathlib import Path

SOURCE = Path(__file__).resolve().parent.parent / "src"
BELOW: dict[str, set[str]] = {
    "domain": set(),
    "engine": {"domain"},
    "planning": {"domain", "engine"},
    "store": {"domain", "engine"},
    "ingest": {"domain", "engine", "store"},
    "services": {"domain", "engine", "planning", "store", "ingest"},
    "web": {"domain", "engine", "planning", "store", "ingest", "services"},
    "demo": {"domain", "engine", "planning", "store", "ingest", "services"},
    "cli": {"domain", "engine", "planning", "store", "ingest", "services", "web", "demo"},
}
# Modules of one job that any layer may use; they import nothing of wmt but the domain.
SHARED = {"errors", "logs", "exports"}


def layer_of(module: str) -> str:
    """`wmt.web.pages` is in the web layer; `wmt.errors` is one of the shared modules."""
    parts = module.split(".")
    return parts[1] if len(parts) > 1 else ""


def imported(module: str, source: str) -> set[str]:
    """The wmt modules a module's text imports, anywhere in it (inside functions too)."""
    package = module.rsplit(".", 1)[0]
    found: set[str] = set()
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.Import):
            found |= {alias.name for alias in node.names}
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                anchor = package.rsplit(".", node.level - 1)[0] if node.level > 1 else package
                base = f"{anchor}.{base}" if base else anchor
            # `from wmt import web` imports a module; `from wmt.web import common` too.
            found |= {base} | {f"{base}.{alias.name}" for alias in node.names}
    return {name for name in found if name.split(".")[0] == "wmt" and layer_of(name)}


def upward_imports(module: str, source: str) -> set[tuple[str, str]]:
    """(module, imported module) for each import of a layer the module's layer may not use."""
    layer = layer_of(module)
    if layer not in BELOW and layer not in SHARED:
        return set()
    allowed = {layer, *BELOW[layer]} if layer in BELOW else {"domain"}
    wrong = set()
    for name in imported(module, source):
        target = layer_of(name)
        if target in BELOW and target not in allowed:
            wrong.add((module, name))
    return wrong


def modules() -> dict[str, str]:
    found = {}
    for path in sorted((SOURCE / "wmt").rglob("*.py")):
        module = ".".join(path.relative_to(SOURCE).with_suffix("").parts)
        found[module.removesuffix(".__init__")] = path.read_text(encoding="utf8")
    return found


def test_no_layer_imports_a_layer_above_it() -> None:
    wrong = set()
    for module, source in modules().items():
        wrong |= upward_imports(module, source)
    assert sorted(wrong) == []


def test_the_shared_modules_import_only_each_other_and_the_domain() -> None:
    sources = modules()
    for name in SHARED:
        layers = {layer_of(module) for module in imported(f"wmt.{name}", sources[f"wmt.{name}"])}
        assert layers <= {"domain", *SHARED}, name


def test_every_package_has_a_place_in_the_layers() -> None:
    packages = {path.parent.name for path in (SOURCE / "wmt").glob("*/__init__.py")}
    assert packages <= set(BELOW)


def test_an_upward_import_is_found_wherever_it_is_written() -> None:
    """The check reads imports at the top, inside functions and relative ones."""
    source = (
        "from wmt.domain.grades import Grade\n"
        "def late() -> None:\n"
        "    from wmt.store import schema\n"
        "from ..services import capacity\n"
        "import wmt.web.common\n"
    )
    assert upward_imports("wmt.engine.workload", source) == {
        ("wmt.engine.workload", "wmt.store"),
        ("wmt.engine.workload", "wmt.store.schema"),
        ("wmt.engine.workload", "wmt.services"),
        ("wmt.engine.workload", "wmt.services.capacity"),
        ("wmt.engine.workload", "wmt.web.common"),
    }
    assert upward_imports("wmt.web.pages", "from wmt.cli import output\n") == {
        ("wmt.web.pages", "wmt.cli"),
        ("wmt.web.pages", "wmt.cli.output"),
    }
    assert upward_imports("wmt.cli.main", "from wmt.web.app import create_app\n") == set()


# How a service opens the store; the web and the command line leave that to the services.
STORE_OPENINGS = {"reading", "writing", "changing_snapshots", "connect", "begin"}


def store_openings(source: str) -> set[str]:
    """The store's (or engine's) ways of opening a connection that the text calls."""
    return {
        node.func.attr
        for node in ast.walk(ast.parse(source))
        if isinstance(node, ast.Call)
        and isinstance(node.func, ast.Attribute)
        and node.func.attr in STORE_OPENINGS
    }


def test_the_web_and_the_command_line_open_no_connection() -> None:
    opening = {
        module: store_openings(source)
        for module, source in modules().items()
        if layer_of(module) in ("web", "cli") and store_openings(source)
    }
    assert opening == {}


def test_a_connection_opened_in_a_page_is_found() -> None:
    source = "def page(store):\n    with store.reading() as connection:\n        pass\n"
    assert store_openings(source) == {"reading"}

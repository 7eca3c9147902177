"""The code a stage runs: the aelab modules its own module imports, transitively, found by reading the source.

A stage's code dependencies are derived, not listed by hand: a hand list
drifts (an edited module that no list names reruns nothing, and a stale
result survives). The closure starts from the stage's own modules, not from
the CLI, which imports every stage. Imports under ``if TYPE_CHECKING:`` count
too: the stage is handed objects of those types (the params), and their
modules' code (defaults, derived settings such as a variant's merged training
section) shapes what it computes. Importing ``aelab.a.b`` runs the package
``aelab.a``'s ``__init__`` first, so that counts as well. Nothing is imported
to find this: the files are parsed.
"""

from __future__ import annotations

import ast
from functools import cache
from pathlib import Path

PACKAGE = "aelab"
ROOT = Path(__file__).resolve().parents[1]
"""The ``aelab`` package directory of this installation."""


def module_file(module: str, root: Path = ROOT) -> Path | None:
    """The source file of an aelab module (a package's ``__init__.py``) in the package directory ``root``, None if
    there is none."""
    parts = module.split(".")[1:]
    candidates = [root / Path(*parts[:-1], parts[-1] + ".py")] if parts else []
    for candidate in (*candidates, root.joinpath(*parts, "__init__.py")):
        if candidate.is_file():
            return candidate
    return None


def source_file(module: str, root: Path = ROOT) -> Path:
    """The source file of an aelab module that exists (a closure holds only those)."""
    file = module_file(module, root)
    if file is None:
        raise ValueError(f"{module}: no such module in {root}")
    return file


class _Imports(ast.NodeVisitor):
    """The modules a module's code imports, at any depth (in functions, under ``if TYPE_CHECKING``)."""

    def __init__(self, module: str, is_package: bool, root: Path):
        self.package = module if is_package else module.rpartition(".")[0]
        self.root = root
        self.found: set[str] = set()

    def visit_Import(self, node: ast.Import) -> None:
        self.found |= {alias.name for alias in node.names}

    def visit_ImportFrom(self, node: ast.ImportFrom) -> None:
        base = node.module or ""
        if node.level:
            parent = self.package.split(".")[: len(self.package.split(".")) - node.level + 1]
            base = ".".join([*parent, base] if base else parent)
        self.found.add(base)
        # `from aelab.evaluation import latent` imports the module aelab.evaluation.latent
        self.found |= {f"{base}.{alias.name}" for alias in node.names if module_file(f"{base}.{alias.name}", self.root)}


def direct_imports(module: str, root: Path = ROOT) -> set[str]:
    """The aelab modules ``module`` imports itself, with the packages each of them runs first."""
    file = source_file(module, root)
    visitor = _Imports(module, file.name == "__init__.py", root)
    visitor.visit(ast.parse(file.read_text(), str(file)))
    imported = {name for name in visitor.found if name == PACKAGE or name.startswith(PACKAGE + ".")}
    imported = {name for name in imported if module_file(name, root)}
    return {".".join(name.split(".")[:depth]) for name in imported for depth in range(1, name.count(".") + 2)}


@cache
def closure(modules: tuple[str, ...], root: Path = ROOT) -> frozenset[str]:
    """``modules`` and every aelab module they import, transitively (in the package directory ``root``)."""
    seen: set[str] = set()
    pending = [name for module in modules for name in (module, *_packages_of(module))]
    while pending:
        module = pending.pop()
        if module not in seen:
            seen.add(module)
            pending += direct_imports(module, root) - seen
    return frozenset(seen)


def _packages_of(module: str) -> list[str]:
    parts = module.split(".")
    return [".".join(parts[:depth]) for depth in range(1, len(parts))]


def closure_files(modules: tuple[str, ...], root: Path = ROOT) -> list[Path]:
    """The source files of :func:`closure`, sorted."""
    return sorted(source_file(module, root) for module in closure(modules, root))

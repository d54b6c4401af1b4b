"""The layering check: ``python -m taskpulse.tools.layering`` (exit 1 with a list of
violations). Also run by the test suite (``tests/tools/test_layering.py``).

1. **Direction of dependency.** Each package of ``taskpulse`` has a layer (:data:`LAYERS`,
   highest first). A module may import from its own layer or a lower one, never a higher
   one. Imports under ``if TYPE_CHECKING:`` count too, except in ``keys.py``, whose job is
   to name every typed key.
2. **Library internals are fenced.** Outside ``taskpulse.internals`` no module may use a
   private (``_``-prefixed) attribute that python-socketio, python-engineio or aiohttp
   define, import their private or driver modules, or subclass one of their classes to
   override a private method.
3. **Size.** No module over :data:`MAX_MODULE_LINES` lines, no function over
   :data:`MAX_FUNCTION_LINES` lines (migrations are generated and exempt).
"""
from __future__ import annotations

import ast
import importlib.util
import sys
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

SRC = Path(__file__).resolve().parents[1]    # src/taskpulse
LIBRARIES = ("socketio", "engineio", "aiohttp")
FENCED = "internals"
MAX_MODULE_LINES = 300
MAX_FUNCTION_LINES = 50

# Highest first. A module's layer is that of its first package below ``taskpulse``
# (top-level modules are named without ``.py``).
LAYERS: tuple[tuple[str, ...], ...] = (
    ("__main__", "cli", "app", "serving", "tools"),   # wiring and process lifecycle
    ("web",),              # interface adapters: HTTP handlers, pages, the Socket.IO side
    (FENCED,),             # the only code touching library internals
    ("agent",),
    ("llm",),
    ("auth",),
    ("tasks",),
    ("delivery",),         # event log, publisher interface (no Socket.IO)
    ("protocol",),         # event models, envelope, timestamps
    ("db",),
    ("config", "keys", "timer_heap", "batched_lookups", "signing_key", "outages",
     "processes"),
)
LAYER_OF = {name: rank for rank, names in enumerate(LAYERS) for name in names}
EXEMPT = ("db/migrations/",)
# Modules of the libraries that are theirs to use inside (drivers, sockets, managers).
PRIVATE_MODULES = ("engineio.async_drivers", "engineio.async_socket", "engineio.base_socket",
                   "socketio.async_pubsub_manager", "socketio.base_manager",
                   "socketio.base_server", "aiohttp.web_protocol", "aiohttp.http_writer")


@dataclass(frozen=True)
class Violation:
    path: str
    line: int
    message: str

    def __str__(self) -> str:
        return f"{self.path}:{self.line}: {self.message}"


def layer_of(module: str) -> int | None:
    """The layer of ``taskpulse.x.y`` (None: not ours)."""
    parts = module.split(".")
    if parts[0] != "taskpulse" or len(parts) < 2:
        return None
    return LAYER_OF.get(parts[1])


@lru_cache(maxsize=1)
def library_private_names() -> frozenset[str]:
    """Every ``_name`` (not dunder) the libraries define: methods, class attributes and
    instance attributes they assign."""
    names: set[str] = set()
    for library in LIBRARIES:
        spec = importlib.util.find_spec(library)
        if spec is None or spec.origin is None:
            continue
        for path in Path(spec.origin).parent.rglob("*.py"):
            tree = ast.parse(path.read_text(encoding="utf-8", errors="replace"))
            for node in ast.walk(tree):
                name = None
                if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)):
                    name = node.name
                elif isinstance(node, ast.Attribute) and isinstance(node.ctx, ast.Store):
                    name = node.attr
                elif isinstance(node, ast.Name) and isinstance(node.ctx, ast.Store):
                    name = node.id
                if name and name.startswith("_") and not name.startswith("__"):
                    names.add(name)
    return frozenset(names)


def own_private_names(trees: dict[str, ast.Module]) -> frozenset[str]:
    """Every ``_name`` our own code defines outside the fenced package (those are ours)."""
    names: set[str] = set()
    for path, tree in trees.items():
        if path.startswith(FENCED + "/"):
            continue
        for node in ast.walk(tree):
            if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)):
                names.add(node.name)
            elif isinstance(node, ast.Attribute) and isinstance(node.ctx, ast.Store):
                names.add(node.attr)
            elif isinstance(node, ast.Name) and isinstance(node.ctx, ast.Store):
                names.add(node.id)
            elif isinstance(node, ast.arg):
                names.add(node.arg)
    return frozenset(n for n in names if n.startswith("_"))


def _module_name(path: str) -> str:
    parts = path.removesuffix(".py").split("/")
    if parts[-1] == "__init__":
        parts = parts[:-1]
    return ".".join(["taskpulse", *parts])


def _imported(node: ast.AST, module: str) -> list[str]:
    if isinstance(node, ast.Import):
        return [alias.name for alias in node.names]
    if isinstance(node, ast.ImportFrom):
        base = node.module or ""
        if node.level:
            package = module.split(".")[: -node.level]
            base = ".".join(package + ([base] if base else []))
        return [base] + [f"{base}.{alias.name}" for alias in node.names]
    return []


def _type_checking_lines(tree: ast.Module) -> set[int]:
    lines: set[int] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.If) and "TYPE_CHECKING" in ast.unparse(node.test):
            for child in node.body:
                lines.update(range(child.lineno, (child.end_lineno or child.lineno) + 1))
    return lines


def check_imports(path: str, tree: ast.Module) -> list[Violation]:
    module = _module_name(path)
    own = layer_of(module)
    typing_only = _type_checking_lines(tree) if path == "keys.py" else set()
    found: dict[tuple[int, str], Violation] = {}    # one of each kind per statement
    for node in ast.walk(tree):
        for name in _imported(node, module):
            lineno = getattr(node, "lineno", 0)
            target = layer_of(name)
            if own is not None and target is not None and target < own \
                    and lineno not in typing_only:
                found.setdefault((lineno, "layer"), Violation(
                    path, lineno, f"{module} (layer {own}) imports {name} "
                                  f"(higher layer {target})"))
            if not path.startswith(FENCED + "/") and _private_module(name):
                found.setdefault((lineno, "internals"), Violation(
                    path, lineno, f"imports library internals {name} "
                                  f"(only in taskpulse.{FENCED})"))
    return list(found.values())


def _private_module(name: str) -> bool:
    parts = name.split(".")
    return parts[0] in LIBRARIES and (name.startswith(PRIVATE_MODULES) or any(
        part.startswith("_") and not part.startswith("__") for part in parts[1:]))


def check_internals(path: str, tree: ast.Module, ours: frozenset[str]) -> list[Violation]:
    """Private attributes of the libraries, and private overrides of their classes."""
    if path.startswith(FENCED + "/"):
        return []
    theirs = library_private_names() - ours
    found = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Attribute) and node.attr in theirs:
            found.append(Violation(path, node.lineno, f"uses library internal .{node.attr} "
                                                      f"(only in taskpulse.{FENCED})"))
        if isinstance(node, ast.ClassDef):
            bases = " ".join(ast.unparse(base) for base in node.bases)
            if not any(library in bases for library in LIBRARIES):
                continue
            for item in node.body:
                if isinstance(item, (ast.FunctionDef, ast.AsyncFunctionDef)) \
                        and item.name in library_private_names():
                    found.append(Violation(path, item.lineno, f"overrides library internal "
                                           f"{node.name}.{item.name} (only in "
                                           f"taskpulse.{FENCED})"))
    return found


def check_size(path: str, text: str, tree: ast.Module) -> list[Violation]:
    found = []
    lines = len(text.splitlines())
    if lines > MAX_MODULE_LINES:
        found.append(Violation(path, 1, f"{lines} lines (at most {MAX_MODULE_LINES})"))
    for node in ast.walk(tree):
        if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)):
            length = (node.end_lineno or node.lineno) - node.lineno + 1
            if length > MAX_FUNCTION_LINES:
                found.append(Violation(path, node.lineno, f"function {node.name} is {length} "
                                       f"lines (at most {MAX_FUNCTION_LINES})"))
    return found


def check(root: Path = SRC) -> list[Violation]:
    texts = {str(p.relative_to(root)): p.read_text() for p in sorted(root.rglob("*.py"))
             if not str(p.relative_to(root)).startswith(EXEMPT)}
    trees = {path: ast.parse(text) for path, text in texts.items()}
    ours = own_private_names(trees)
    found: list[Violation] = []
    for path, tree in trees.items():
        found += check_imports(path, tree)
        found += check_internals(path, tree, ours)
        found += check_size(path, texts[path], tree)
    return found


def main() -> int:
    violations = check()
    for violation in violations:
        print(violation)
    print(f"layering: {len(violations)} violation(s)", file=sys.stderr)
    return 1 if violations else 0


if __name__ == "__main__":
    sys.exit(main())

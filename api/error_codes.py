"""Which error codes a function can answer, read from its code: every `raise SomeAppError(...)` it or anything it
calls in this project contains (a subclass's status and code, or the `code=` / `status=` given at the raise),
minus what a surrounding `except` swallows. What the code can't show (an adapter behind an interface, a workflow
failure) a function states with `domain.errors.raises`, which is read here too.

An over-estimate by design: a code listed for a route is one its code paths can raise."""

from __future__ import annotations

import ast
import inspect
import textwrap
from collections.abc import Callable, Iterator
from functools import cache
from types import FunctionType, ModuleType
from typing import Any

from domain.errors import ERROR_CODES_ATTR as ATTR
from domain.errors import AppError

PROJECT = ("api", "domain", "storage", "search", "integrations")
Raised = tuple[type[Exception], int, str]  # the class (for `except` matching), status, code


def _in_project(obj: Any) -> bool:
    return (getattr(obj, "__module__", "") or "").split(".")[0] in PROJECT


def _resolve(node: ast.expr, scope: dict[str, Any]) -> Any:
    if isinstance(node, ast.Name):
        return scope.get(node.id, getattr(__builtins__, node.id, None) if not isinstance(__builtins__, dict)
                         else __builtins__.get(node.id))
    if isinstance(node, ast.Attribute):
        owner = _resolve(node.value, scope)
        if isinstance(owner, ModuleType | type):
            return getattr(owner, node.attr, None)
    return None


def _scope(func: FunctionType) -> dict[str, Any]:
    scope = dict(func.__globals__)
    for name, cell in zip(func.__code__.co_freevars, func.__closure__ or (), strict=False):
        try:
            scope[name] = cell.cell_contents
        except ValueError:  # an empty cell
            continue
    return scope


def _constants(call: ast.Call | None, name: str) -> list[Any]:
    """The values a keyword can take at this call: a constant, or either branch of `a if cond else b`; none
    when it is computed (such a raise states its codes with `@raises`)."""
    for kw in call.keywords if call else ():
        if kw.arg == name:
            values = [kw.value.body, kw.value.orelse] if isinstance(kw.value, ast.IfExp) else [kw.value]
            return [v.value for v in values if isinstance(v, ast.Constant)] if all(
                isinstance(v, ast.Constant) for v in values) else []
    return [None]


def _made(func: FunctionType) -> set[Raised]:
    """What a helper that builds the error (`raise _locked(...)`) returns."""
    try:
        tree = ast.parse(textwrap.dedent(inspect.getsource(func)))
    except (OSError, TypeError, SyntaxError):
        return set()
    walker = _Walker(_scope(func))
    for node in ast.walk(tree):
        if isinstance(node, ast.Return) and isinstance(node.value, ast.Call):
            walker.error(node.value)
    return walker.found


class _Walker(ast.NodeVisitor):
    def __init__(self, scope: dict[str, Any]) -> None:
        self.scope = scope
        self.found: set[Raised] = set()

    def error(self, exc: ast.expr) -> None:
        call = exc if isinstance(exc, ast.Call) else None
        target = _resolve(call.func if call else exc, self.scope)
        if isinstance(target, type) and issubclass(target, AppError):
            self.found |= {(target, status or target.status, code or target.code)
                           for status in _constants(call, "status") for code in _constants(call, "code")}
        elif isinstance(target, FunctionType) and _in_project(target):
            self.found |= _made(target)

    def visit_Raise(self, node: ast.Raise) -> None:
        if node.exc is not None:
            self.error(node.exc)
        self.generic_visit(node)

    def visit_Try(self, node: ast.Try) -> None:
        inner = _Walker(self.scope)
        for stmt in node.body:
            inner.visit(stmt)
        # A handler that ends in a bare `raise` lets the error through.
        swallowing = [h for h in node.handlers
                      if not any(isinstance(n, ast.Raise) and n.exc is None for n in ast.walk(h))]
        caught = tuple(c for h in swallowing for c in self._caught(h))
        self.found |= {r for r in inner.found if not issubclass(r[0], caught)}
        for part in (*node.handlers, *node.orelse, *node.finalbody):
            self.visit(part)

    def _caught(self, handler: ast.ExceptHandler) -> Iterator[type]:
        names = handler.type.elts if isinstance(handler.type, ast.Tuple) else [handler.type]
        for name in names:
            cls = _resolve(name, self.scope) if name is not None else BaseException
            if isinstance(cls, type):
                yield cls

    def _reference(self, node: ast.expr) -> None:
        target = _resolve(node, self.scope)
        if isinstance(target, FunctionType) and _in_project(target) and inspect.unwrap(target) not in _VISITING:
            self.found |= raised_by(target)

    def visit_Name(self, node: ast.Name) -> None:
        self._reference(node)

    def visit_Attribute(self, node: ast.Attribute) -> None:
        self._reference(node)
        self.generic_visit(node)


@cache
def raised_by(func: Callable[..., Any]) -> frozenset[Raised]:
    """Codes `func` and the project functions it refers to can raise (a function passed along, e.g. to
    run_in_threadpool, counts as called)."""
    func = inspect.unwrap(func)
    declared = {(AppError, status, code) for status, code in getattr(func, ATTR, [])}
    if not isinstance(func, FunctionType):
        return frozenset(declared)
    try:
        tree = ast.parse(textwrap.dedent(inspect.getsource(func)))
    except (OSError, TypeError, SyntaxError):
        return frozenset(declared)
    walker = _Walker(_scope(func))
    _VISITING.add(func)  # recursion: a function calling itself (or back) adds nothing new
    try:
        for stmt in tree.body:
            for inner in ast.iter_child_nodes(stmt):
                if inner not in getattr(stmt, "decorator_list", []):
                    walker.visit(inner)
    finally:
        _VISITING.discard(func)
    return frozenset(declared | walker.found)


_VISITING: set[Callable[..., Any]] = set()

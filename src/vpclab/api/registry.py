"""The table of implemented operations: `@operation("CreateVpc")` puts a handler in it."""

from __future__ import annotations

import functools
import importlib
import pkgutil
import re
import threading
from collections.abc import Callable
from pathlib import Path
from typing import Any

from vpclab.api.context import RequestContext

Params = dict[str, Any]
Result = dict[str, Any]
Handler = Callable[[RequestContext, Params], Result]

HANDLERS: dict[tuple[str, str], Handler] = {}

# Handler modules are imported under this lock: the server imports them in a background thread
# while a request may import the one module it needs (see `find_handler`).
_IMPORTING = threading.RLock()
_ALL_LOADED = threading.Event()
_DECORATOR = re.compile(r'^@operation\(\s*"(\w+)"', re.MULTILINE)


def operation(name: str, service: str = "ec2") -> Callable[[Handler], Handler]:
    """Register a handler for one operation of one service."""

    def register(fn: Handler) -> Handler:
        key = (service, name)
        if key in HANDLERS:
            raise ValueError(f"operation {service}:{name} registered twice")
        HANDLERS[key] = fn
        return fn

    return register


def _handler_modules() -> list[str]:
    """Dotted names of every handler module of every service package, in a stable order."""
    import vpclab.api as api_pkg

    names: list[str] = []
    for info in sorted(pkgutil.iter_modules(api_pkg.__path__), key=lambda i: i.name):
        if info.ispkg:
            pkg = importlib.import_module(f"vpclab.api.{info.name}")
            subs = sorted(pkgutil.iter_modules(pkg.__path__), key=lambda i: i.name)
            names.extend(f"vpclab.api.{info.name}.{sub.name}" for sub in subs)
    return names


def load_handlers() -> None:
    """Import every handler module of every service package so all operations are registered."""
    if _ALL_LOADED.is_set():
        return
    for module in _handler_modules():
        with _IMPORTING:  # one module at a time, so a request's own import can go in between
            importlib.import_module(module)
    _ALL_LOADED.set()


@functools.cache
def _modules_by_operation() -> dict[str, tuple[str, ...]]:
    """Which handler modules mention `@operation("Name"` in their source (read, not imported).

    Lets a starting server answer its first calls after importing one module instead of all of
    them; a stale or missed entry only costs the fallback to `load_handlers`.
    """
    index: dict[str, list[str]] = {}
    root = Path(__file__).resolve().parent
    for module in _handler_modules():
        path = root.joinpath(*module.split(".")[2:]).with_suffix(".py")
        try:
            source = path.read_text(encoding="utf-8")
        except OSError:
            continue
        for name in _DECORATOR.findall(source):
            index.setdefault(name, []).append(module)
    return {name: tuple(modules) for name, modules in index.items()}


def find_handler(service: str, name: str) -> Handler | None:
    """The handler of an operation, importing only its module while the others still load."""
    handler = HANDLERS.get((service, name))
    if handler is not None or _ALL_LOADED.is_set():
        return handler
    with _IMPORTING:
        for module in _modules_by_operation().get(name, ()):
            importlib.import_module(module)
    handler = HANDLERS.get((service, name))
    if handler is None:
        load_handlers()
        handler = HANDLERS.get((service, name))
    return handler


def implemented(service: str = "ec2") -> list[str]:
    """Names of the implemented operations of a service, sorted."""
    load_handlers()
    return sorted(name for svc, name in HANDLERS if svc == service)

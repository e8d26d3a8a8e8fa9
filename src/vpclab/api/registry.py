"""The table of implemented operations: `@operation("CreateVpc")` puts a handler in it."""

from __future__ import annotations

import importlib
import pkgutil
from collections.abc import Callable
from typing import Any

from vpclab.api.context import RequestContext

Params = dict[str, Any]
Result = dict[str, Any]
Handler = Callable[[RequestContext, Params], Result]

HANDLERS: dict[tuple[str, str], Handler] = {}


def operation(name: str, service: str = "ec2") -> Callable[[Handler], Handler]:
    """Register a handler for one operation of one service."""

    def register(fn: Handler) -> Handler:
        key = (service, name)
        if key in HANDLERS:
            raise ValueError(f"operation {service}:{name} registered twice")
        HANDLERS[key] = fn
        return fn

    return register


def load_handlers() -> None:
    """Import every handler module of every service package so all operations are registered."""
    import vpclab.api as api_pkg

    for info in pkgutil.iter_modules(api_pkg.__path__):
        if info.ispkg:
            pkg = importlib.import_module(f"vpclab.api.{info.name}")
            for sub in pkgutil.iter_modules(pkg.__path__):
                importlib.import_module(f"vpclab.api.{info.name}.{sub.name}")


def implemented(service: str = "ec2") -> list[str]:
    """Names of the implemented operations of a service, sorted."""
    return sorted(name for svc, name in HANDLERS if svc == service)

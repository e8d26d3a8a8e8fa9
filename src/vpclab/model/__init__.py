"""The domain model: AWS VPC resources as frozen values, domain errors, regions (stdlib only)."""

from __future__ import annotations

import importlib
import pkgutil


def load_all_kinds() -> None:
    """Import every model module so each resource kind is registered before state is loaded."""
    for info in pkgutil.iter_modules(__path__):
        importlib.import_module(f"{__name__}.{info.name}")

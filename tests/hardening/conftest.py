"""Hardening tests: register the `slow` marker for the long runs CI may deselect."""

from __future__ import annotations

import pytest


def pytest_configure(config: pytest.Config) -> None:
    """Declare the `slow` marker so that `-m "not slow"` works and no warning is raised."""
    config.addinivalue_line("markers", "slow: a long hardening run (deselect with -m 'not slow')")

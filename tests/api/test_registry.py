"""The operation registry: lazy per-operation loading for a starting server, and the full table."""

from __future__ import annotations

import pickle
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

from vpclab.api import registry
from vpclab.wire.service_model import _cache_path, _load_model_data


def test_every_registered_handler_is_found_by_the_source_index() -> None:
    """The index read from the sources names the module of every registered operation, so a
    starting server imports exactly that module for its first call of any operation."""
    registry.load_handlers()
    index = registry._modules_by_operation()
    missing = [
        (service, name)
        for (service, name), handler in registry.HANDLERS.items()
        if handler.__module__ not in index.get(name, ())
    ]
    assert missing == []


def test_a_starting_api_answers_after_importing_only_the_handler_it_needs() -> None:
    """Api(load_all=False) answers DescribeVpcs without importing unrelated handler modules,
    finds any other operation on demand, and still reports unknown ones as unsupported."""
    script = textwrap.dedent(
        """
        import sys
        from tests.support import raw_call
        from vpclab.api.dispatch import Api
        from vpclab.api.registry import find_handler
        from vpclab.control.store import Store
        from vpclab.model import load_all_kinds

        load_all_kinds()
        api = Api(Store(None), load_all=False)
        status, body = raw_call(api, {"Action": "DescribeVpcs", "Version": "2016-11-15"})
        assert status == 200 and "172.31.0.0/16" in body, body
        assert "vpclab.api.ec2.network_insights" not in sys.modules
        assert find_handler("ec2", "CreateNetworkInsightsPath") is not None
        assert "vpclab.api.ec2.network_insights" in sys.modules
        status, body = raw_call(api, {"Action": "DescribeHosts", "Version": "2016-11-15"})
        assert status == 400 and "<Code>Unsupported</Code>" in body, body
        print("ok")
        """
    )
    root = Path(__file__).resolve().parents[2]
    done = subprocess.run(
        [sys.executable, "-c", script], cwd=root, capture_output=True, text=True, timeout=60
    )
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip() == "ok"


def test_parsed_model_cache_survives_a_corrupt_file(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A damaged cache file is ignored and rewritten; the model read back equals botocore's."""
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path))
    path = _cache_path("ec2")
    assert str(path).startswith(str(tmp_path))
    fresh = _load_model_data("ec2")
    assert path.exists()
    path.write_bytes(b"\x80\x05not a pickle")
    again = _load_model_data("ec2")
    assert again == fresh
    with path.open("rb") as cached:
        assert pickle.load(cached) == fresh
    assert _load_model_data("ec2") == fresh
    assert list(path.parent.glob("*.tmp")) == []

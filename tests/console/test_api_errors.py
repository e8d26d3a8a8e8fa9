"""A bug inside a console endpoint is a logged 500 InternalError in the console's error shape,
never a bare traceback, and never disguised as bad input."""

from __future__ import annotations

from typing import Any

import pytest

from tests.services.test_http_routing import call
from vpclab.api.dispatch import Api
from vpclab.server import console_api
from vpclab.server.app import App


def test_a_failing_endpoint_answers_500_internal_error(
    api: Api, monkeypatch: pytest.MonkeyPatch, caplog: Any
) -> None:
    """The topology builder raising: 500 InternalError, the traceback in the server log."""

    def broken(*_: Any) -> Any:
        raise RuntimeError("boom")

    monkeypatch.setattr(console_api, "topology", broken)
    app = App(api, ":memory:")
    console_api.install(app)
    status, body = call(app, "GET", "/_vpclab/api/topology")
    assert (status, body["error"]["code"]) == (500, "InternalError")
    assert "boom" not in body["error"]["message"]
    assert any("boom" in (r.exc_text or "") for r in caplog.records)
    assert call(app, "GET", "/_vpclab/api/version")[0] == 200

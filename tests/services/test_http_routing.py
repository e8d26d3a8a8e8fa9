"""The ASGI app routes a SigV4 `lambda` request to the REST-JSON entry (Api.handle_http)."""

from __future__ import annotations

import json
from typing import Any

from tests.support import asgi_request
from vpclab.api.dispatch import Api
from vpclab.server.app import App

AUTH = "AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE/20240101/us-east-1/lambda/aws4_request, x"


def call(app: App, method: str, path: str, query: bytes = b"") -> tuple[int, dict[str, Any]]:
    """Drive one HTTP request through the ASGI app in-process; status and JSON body."""
    status, body = asgi_request(app, method, path, authorization=AUTH, query=query)
    return status, json.loads(body)


def test_lambda_requests_reach_the_rest_json_entry(api: Api) -> None:
    """ListFunctions answers 200 JSON; an unknown function is a 404 with Lambda's message."""
    app = App(api, ":memory:")
    status, body = call(app, "GET", "/2015-03-31/functions/", b"MaxItems=5")
    assert (status, body) == (200, {"Functions": []})
    status, body = call(app, "GET", "/2015-03-31/functions/ghost")
    assert status == 404
    assert body["message"].startswith("Function not found: arn:aws:lambda:us-east-1:")

"""`--auth strict`: a browser cannot sign SigV4, so the console's paths take the per-process token
that `vpclab serve` prints with the console URL, and nothing else unlocks them."""

from __future__ import annotations

import json
import urllib.error
import urllib.request
from collections.abc import Iterator
from dataclasses import dataclass
from urllib.parse import parse_qs, urlsplit

import pytest

from tests.hardening.server import http_client, start_server, stop_server

KEY, SECRET, ACCOUNT = "AKIAALICE", "alice-secret", "111111111111"


@dataclass
class Strict:
    """A strict-auth server, its endpoint and the console token it printed."""

    endpoint: str
    console_url: str
    token: str


@pytest.fixture(scope="module")
def strict(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Strict]:
    """One strict-auth in-memory server; the console URL read from what it prints at start."""
    credentials = tmp_path_factory.mktemp("auth") / "credentials.yaml"
    credentials.write_text(
        f'credentials:\n  - {{access_key: {KEY}, secret_key: {SECRET}, account: "{ACCOUNT}"}}\n'
    )
    proc, endpoint = start_server(
        "--in-memory", "--auth", "strict", "--credentials", str(credentials)
    )
    try:
        assert proc.stdout is not None
        lines = [proc.stdout.readline() for _ in range(2)]
        (console_url,) = [line.split()[-1] for line in lines if "console:" in line]
        token = parse_qs(urlsplit(console_url).query)["token"][0]
        yield Strict(endpoint, console_url, token)
    finally:
        stop_server(proc)


def fetch(url: str, headers: dict[str, str] | None = None) -> tuple[int, dict[str, str], bytes]:
    """GET a URL; status, headers and body, error or not."""
    request = urllib.request.Request(url, headers=headers or {})
    try:
        with urllib.request.urlopen(request, timeout=10) as answer:
            return answer.status, dict(answer.headers), answer.read()
    except urllib.error.HTTPError as exc:
        return exc.code, dict(exc.headers), exc.read()


def test_strict_console_url_carries_a_token(strict: Strict) -> None:
    """The printed URL is the console's, on this server, with a long random token."""
    assert strict.console_url.startswith(strict.endpoint + "/_vpclab/console?token=")
    assert len(strict.token) >= 32


def test_strict_console_api_without_token_is_refused(strict: Strict) -> None:
    """No token, a wrong token, or the token in the wrong place: 403 saying what is needed."""
    for url, headers in (
        (strict.endpoint + "/_vpclab/api/topology", {}),
        (strict.endpoint + "/_vpclab/api/version?token=not-the-token", {}),
        (strict.endpoint + "/_vpclab/api/partitions", {"X-Vpclab-Token": "x" * 32}),
        (strict.endpoint + "/_vpclab/api/state", {}),
        (strict.endpoint + "/_vpclab/console", {}),
        (strict.endpoint + "/_vpclab/console/assets/app.js", {"Cookie": "other=1"}),
    ):
        status, _, body = fetch(url, headers)
        assert status == 403, url
        error = json.loads(body)["error"]
        assert error["code"] == "AuthFailure" and "token" in error["message"], url


def test_strict_console_api_accepts_the_token_three_ways(strict: Strict) -> None:
    """?token= (answered with the cookie), the X-Vpclab-Token header, or that cookie."""
    ec2 = http_client(strict.endpoint, KEY, SECRET)
    vpc = ec2.create_vpc(CidrBlock="10.0.0.0/16")["Vpc"]["VpcId"]
    url = f"{strict.endpoint}/_vpclab/api/topology?account={ACCOUNT}"
    status, headers, body = fetch(f"{url}&token={strict.token}")
    assert status == 200
    assert vpc in [v["id"] for v in json.loads(body)["vpcs"]]
    cookie = headers["set-cookie"]
    assert cookie.startswith(f"vpclab_console_token={strict.token};") and "HttpOnly" in cookie
    assert fetch(url, {"X-Vpclab-Token": strict.token})[0] == 200
    assert fetch(url, {"Cookie": f"vpclab_console_token={strict.token}"})[0] == 200
    status, headers, _ = fetch(url, {"X-Vpclab-Token": strict.token})
    assert "set-cookie" not in {k.lower() for k in headers}


def test_strict_token_does_not_unlock_the_ec2_api(strict: Strict) -> None:
    """The console token opens only the console's paths: an unsigned EC2 call is still refused."""
    request = urllib.request.Request(
        f"{strict.endpoint}/?token={strict.token}",
        data=b"Action=DescribeVpcs&Version=2016-11-15",
        headers={"X-Vpclab-Token": strict.token},
        method="POST",
    )
    with pytest.raises(urllib.error.HTTPError) as refused:
        urllib.request.urlopen(request, timeout=10)
    assert refused.value.code == 403
    assert b"<Code>AuthFailure</Code>" in refused.value.read()

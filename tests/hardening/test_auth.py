"""`--auth strict`: SigV4 verified against a credentials file; accounts kept apart."""

from __future__ import annotations

import subprocess
import sys
import urllib.error
import urllib.request
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from botocore.auth import SigV4Auth
from botocore.awsrequest import AWSRequest
from botocore.credentials import Credentials

from tests.hardening.server import http_client, start_server, stop_server
from tests.support import aws_error
from vpclab.server.auth import AuthError, CredentialsFileError, Verifier, load_credentials

ALICE = ("AKIAALICE", "alice-secret", "111111111111")
BOB = ("AKIABOB", "bob-secret", "222222222222")
YAML = f"""credentials:
  - {{access_key: {ALICE[0]}, secret_key: {ALICE[1]}, account: "{ALICE[2]}"}}
  - {{access_key: {BOB[0]}, secret_key: {BOB[1]}, account: "{BOB[2]}"}}
"""


@pytest.fixture(scope="module")
def endpoint(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """One strict-auth in-memory server for the module."""
    credentials = tmp_path_factory.mktemp("auth") / "credentials.yaml"
    credentials.write_text(YAML)
    proc, url = start_server("--in-memory", "--auth", "strict", "--credentials", str(credentials))
    try:
        yield url
    finally:
        stop_server(proc)


def post(endpoint: str, body: bytes, headers: dict[str, str]) -> tuple[int, str]:
    """POST raw bytes; the status and body, error or not."""
    request = urllib.request.Request(endpoint, data=body, headers=headers, method="POST")
    try:
        with urllib.request.urlopen(request, timeout=5) as answer:
            return answer.status, answer.read().decode()
    except urllib.error.HTTPError as exc:
        return exc.code, exc.read().decode()


def test_auth_strict_accepts_a_correct_signature(endpoint: str) -> None:
    """A client with a listed key and its secret works as usual."""
    ec2 = http_client(endpoint, ALICE[0], ALICE[1])
    assert ec2.create_vpc(CidrBlock="10.0.0.0/16")["Vpc"]["OwnerId"] == ALICE[2]


def test_auth_strict_wrong_secret_is_signature_does_not_match(endpoint: str) -> None:
    """The right key signed with the wrong secret: SignatureDoesNotMatch, nothing done."""
    ec2 = http_client(endpoint, ALICE[0], "not-the-secret")
    code, _ = aws_error(ec2.create_vpc, CidrBlock="10.0.0.0/16")
    assert code == "SignatureDoesNotMatch"


def test_auth_strict_unknown_key_and_unsigned_are_auth_failure(endpoint: str) -> None:
    """An access key not in the file, or no signature at all: AuthFailure with HTTP 403."""
    code, _ = aws_error(http_client(endpoint, "AKIANOBODY", "x").describe_vpcs)
    assert code == "AuthFailure"
    status, body = post(endpoint, b"Action=DescribeVpcs&Version=2016-11-15", {})
    assert status == 403 and "<Code>AuthFailure</Code>" in body


def test_auth_strict_malformed_authorization_is_incomplete_signature(endpoint: str) -> None:
    """An Authorization header without Signature or SignedHeaders: IncompleteSignature, 403."""
    header = f"AWS4-HMAC-SHA256 Credential={ALICE[0]}/20240101/us-east-1/ec2/aws4_request"
    status, body = post(endpoint, b"Action=DescribeVpcs", {"Authorization": header})
    assert status == 403 and "<Code>IncompleteSignature</Code>" in body


def test_auth_strict_expired_request_is_request_expired(endpoint: str) -> None:
    """A request signed 20 minutes ago (more than the 15 allowed): RequestExpired, 403."""
    body = b"Action=DescribeVpcs&Version=2016-11-15"
    host = endpoint.removeprefix("http://")
    headers = signed_headers(endpoint, host, body, datetime.now(UTC) - timedelta(minutes=20))
    status, answer = post(endpoint, body, headers)
    assert status == 403 and "<Code>RequestExpired</Code>" in answer


def test_auth_strict_other_accounts_ids_are_not_found(endpoint: str) -> None:
    """Bob cannot see or touch Alice's VPC: InvalidVpcID.NotFound, as in AWS."""
    alice = http_client(endpoint, ALICE[0], ALICE[1])
    bob = http_client(endpoint, BOB[0], BOB[1])
    vpc_id = alice.create_vpc(CidrBlock="10.5.0.0/16")["Vpc"]["VpcId"]
    assert aws_error(bob.describe_vpcs, VpcIds=[vpc_id])[0] == "InvalidVpcID.NotFound"
    assert aws_error(bob.delete_vpc, VpcId=vpc_id)[0] == "InvalidVpcID.NotFound"
    assert vpc_id in {v["VpcId"] for v in alice.describe_vpcs()["Vpcs"]}


def signed_headers(endpoint: str, host: str, body: bytes, when: datetime) -> dict[str, str]:
    """Headers of a request Alice signed at `when` (botocore's signer, a chosen clock)."""
    request = AWSRequest(
        method="POST",
        url=endpoint + "/",
        data=body,
        headers={"Host": host, "Content-Type": "application/x-www-form-urlencoded"},
    )
    stamp = when.strftime("%Y%m%dT%H%M%SZ")
    request.context["timestamp"] = stamp
    request.headers["X-Amz-Date"] = stamp
    signer = SigV4Auth(Credentials(ALICE[0], ALICE[1]), "ec2", "us-east-1")
    canonical = signer.canonical_request(request)
    signature = signer.signature(signer.string_to_sign(request, canonical), request)
    scope = f"{ALICE[0]}/{when:%Y%m%d}/us-east-1/ec2/aws4_request"
    names = ";".join(sorted(k.lower() for k in request.headers))
    return {
        **dict(request.headers.items()),
        "Authorization": f"AWS4-HMAC-SHA256 Credential={scope}, SignedHeaders={names}, "
        f"Signature={signature}",
    }


def test_auth_verifier_accepts_fresh_and_refuses_expired() -> None:
    """The verifier itself: the same signed request passes now and is expired 16 minutes later."""
    verifier = Verifier({ALICE[0]: load_credentials_from_text(YAML)[ALICE[0]]})
    when = datetime(2026, 1, 2, 3, 4, 5, tzinfo=UTC)
    body = b"Action=DescribeVpcs"
    headers = {k.lower(): v for k, v in signed_headers("http://h", "h", body, when).items()}
    assert verifier.verify("POST", "http://h/", headers, body, now=when).account == ALICE[2]
    with pytest.raises(AuthError) as refused:
        verifier.verify("POST", "http://h/", headers, body, now=when + timedelta(minutes=16))
    assert refused.value.code == "RequestExpired"
    with pytest.raises(AuthError) as tampered:
        verifier.verify("POST", "http://h/", headers, body + b"&x=1", now=when)
    assert tampered.value.code == "SignatureDoesNotMatch"


def load_credentials_from_text(text: str, suffix: str = ".yaml") -> Any:
    """Parse credentials text through a temporary file (the loader reads files)."""
    import tempfile

    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / f"credentials{suffix}"
        path.write_text(text)
        return load_credentials(path)


def test_auth_credentials_file_ini_and_bad_files() -> None:
    """INI works like YAML; an entry without a 12-digit account is refused, serve exits 2."""
    ini = f"[alice]\naccess_key = {ALICE[0]}\nsecret_key = {ALICE[1]}\naccount = {ALICE[2]}\n"
    assert load_credentials_from_text(ini, ".ini")[ALICE[0]].account == ALICE[2]
    with pytest.raises(CredentialsFileError):
        load_credentials_from_text(ini.replace(ALICE[2], "12"), ".ini")
    command = [
        sys.executable,
        "-c",
        "import sys; from vpclab.cli.main import main; sys.exit(main())",
    ]
    done = subprocess.run(
        [*command, "serve", "--port", "0", "--in-memory", "--auth", "strict"],
        capture_output=True,
        text=True,
        timeout=30,
    )
    assert done.returncode == 2 and "--credentials" in done.stderr

"""Start a real `vpclab serve` subprocess on 127.0.0.1 that a test may also kill outright."""

from __future__ import annotations

import subprocess
import sys
from collections.abc import Iterable
from pathlib import Path
from typing import Any

import boto3
from botocore.config import Config

from tests.e2e.test_server import wait_healthy

FAST_FAIL = Config(
    retries={"total_max_attempts": 1, "mode": "standard"}, connect_timeout=2, read_timeout=5
)
_SESSION = boto3.session.Session()


def start_server(*args: str) -> tuple[subprocess.Popen[str], str]:
    """Launch `vpclab serve --port 0 ARGS`; return the process and the endpoint once healthy."""
    command = [
        sys.executable,
        "-c",
        "import sys; from vpclab.cli.main import main; sys.exit(main())",
    ]
    proc = subprocess.Popen(
        [*command, "serve", "--port", "0", *args],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    assert proc.stdout is not None
    line = proc.stdout.readline()
    if not line.startswith("vpclab listening on "):
        proc.kill()
        _, err = proc.communicate(timeout=5)
        raise AssertionError(f"server did not start: {line!r} {err}")
    endpoint = line.split()[3]
    assert endpoint.startswith("http://127.0.0.1:")
    wait_healthy(endpoint)
    return proc, endpoint


def start_strict_server(
    folder: Path, keys: Iterable[tuple[str, str, str]]
) -> tuple[subprocess.Popen[str], str]:
    """`vpclab serve --auth strict` knowing these (access key, secret, account) triples, its
    credentials file written in `folder`; (process, endpoint)."""
    credentials = folder / "credentials.yaml"
    credentials.write_text(
        "credentials:\n"
        + "".join(
            f'  - {{access_key: {key}, secret_key: {secret}, account: "{account}"}}\n'
            for key, secret, account in keys
        )
    )
    return start_server(
        "--in-memory",
        "--settle-seconds",
        "0",
        "--auth",
        "strict",
        "--credentials",
        str(credentials),
    )


def stop_server(proc: subprocess.Popen[str], *, kill: bool = False) -> None:
    """End a server started by `start_server`: SIGKILL when asked, else a terminate."""
    if kill:
        proc.kill()
    else:
        proc.terminate()
    try:
        proc.communicate(timeout=10)
    except subprocess.TimeoutExpired:
        proc.kill()
        proc.communicate()


def http_client(endpoint: str, access_key: str = "AKIDEXAMPLE", secret: str = "secret") -> Any:
    """A boto3 EC2 client over HTTP that fails fast instead of retrying."""
    return _SESSION.client(
        "ec2",
        region_name="us-east-1",
        aws_access_key_id=access_key,
        aws_secret_access_key=secret,
        endpoint_url=endpoint,
        config=FAST_FAIL,
    )

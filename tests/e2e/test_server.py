"""A real `vpclab serve` on 127.0.0.1 in a subprocess, used through boto3 over HTTP."""

from __future__ import annotations

import json
import signal
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import boto3
import pytest
from botocore.config import Config
from botocore.exceptions import ClientError

pytestmark = pytest.mark.e2e

NO_RETRIES = Config(retries={"total_max_attempts": 1, "mode": "standard"})
CREDENTIALS = {
    "AWS_ACCESS_KEY_ID": "AKIDEXAMPLE",
    "AWS_SECRET_ACCESS_KEY": "secret",
    "AWS_DEFAULT_REGION": "us-east-1",
}


@contextmanager
def running_server(*args: str) -> Iterator[str]:
    """Start `vpclab serve --port 0 ARGS` and yield the endpoint it prints; stop it afterwards."""
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
    try:
        assert proc.stdout is not None
        line = proc.stdout.readline()
        if not line.startswith("vpclab listening on "):
            proc.kill()
            _, err = proc.communicate(timeout=5)
            raise AssertionError(f"server did not start: {line!r} {err}")
        endpoint = line.split()[3]
        assert endpoint.startswith("http://127.0.0.1:")
        wait_healthy(endpoint)
        yield endpoint
    finally:
        proc.send_signal(signal.SIGINT)
        try:
            proc.communicate(timeout=10)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.communicate()


def health(endpoint: str) -> dict[str, Any]:
    """GET /_vpclab/health as JSON."""
    with urllib.request.urlopen(f"{endpoint}/_vpclab/health", timeout=5) as answer:
        body: dict[str, Any] = json.load(answer)
        return body


def wait_healthy(endpoint: str, timeout: float = 10.0) -> None:
    """Poll the health endpoint until the server answers."""
    deadline = time.monotonic() + timeout
    while True:
        try:
            health(endpoint)
            return
        except OSError:
            if time.monotonic() > deadline:
                raise
            time.sleep(0.02)


def ec2_client(endpoint: str | None = None, **session: str) -> Any:
    """A plain boto3 EC2 client (endpoint from the argument or the environment)."""
    made = boto3.session.Session(
        aws_access_key_id=session.get("key", "AKIDEXAMPLE"),
        aws_secret_access_key="secret",
        region_name=session.get("region", "us-east-1"),
    )
    return made.client("ec2", endpoint_url=endpoint, config=NO_RETRIES)


@pytest.fixture(scope="module")
def endpoint() -> Iterator[str]:
    """One in-memory server for the module."""
    with running_server("--in-memory", "--settle-seconds", "0") as url:
        yield url


def test_vpcs_and_subnets_over_http(endpoint: str) -> None:
    """Create, describe with filters, page, wait, tag and delete through a real socket."""
    ec2 = ec2_client(endpoint)
    vpc = ec2.create_vpc(
        CidrBlock="10.0.0.0/16",
        TagSpecifications=[{"ResourceType": "vpc", "Tags": [{"Key": "Name", "Value": "e2e"}]}],
    )["Vpc"]["VpcId"]
    ec2.get_waiter("vpc_available").wait(VpcIds=[vpc], WaiterConfig={"Delay": 0, "MaxAttempts": 3})
    subnets = [
        ec2.create_subnet(VpcId=vpc, CidrBlock=f"10.0.{n}.0/24")["Subnet"]["SubnetId"]
        for n in range(7)
    ]
    ec2.get_waiter("subnet_available").wait(
        SubnetIds=subnets, WaiterConfig={"Delay": 0, "MaxAttempts": 3}
    )
    found = ec2.describe_vpcs(Filters=[{"Name": "tag:Name", "Values": ["e2e"]}])["Vpcs"]
    assert [v["VpcId"] for v in found] == [vpc]
    pages = ec2.get_paginator("describe_subnets").paginate(
        Filters=[{"Name": "vpc-id", "Values": [vpc]}], PaginationConfig={"PageSize": 5}
    )
    assert sorted(s["SubnetId"] for p in pages for s in p["Subnets"]) == sorted(subnets)
    ec2.create_tags(Resources=subnets[:2], Tags=[{"Key": "tier", "Value": "web"}])
    tagged = ec2.describe_tags(Filters=[{"Name": "key", "Values": ["tier"]}])["Tags"]
    assert {t["ResourceId"] for t in tagged} == set(subnets[:2])
    for subnet in subnets:
        ec2.delete_subnet(SubnetId=subnet)
    ec2.delete_vpc(VpcId=vpc)
    assert ec2.describe_vpcs(Filters=[{"Name": "vpc-id", "Values": [vpc]}])["Vpcs"] == []


@pytest.mark.parametrize(
    ("call", "kwargs", "code", "status"),
    [
        ("create_vpc", {"CidrBlock": "10.0.0.0/8"}, "InvalidVpc.Range", 400),
        ("describe_vpcs", {"VpcIds": ["vpc-0123456789abcdef0"]}, "InvalidVpcID.NotFound", 400),
        (
            "create_subnet",
            {"VpcId": "vpc-0123456789abcdef0", "CidrBlock": "10.0.0.0/24"},
            "InvalidVpcID.NotFound",
            400,
        ),
        ("create_vpc", {"CidrBlock": "10.0.0.0/16", "DryRun": True}, "DryRunOperation", 412),
    ],
)
def test_errors_over_http_have_exact_codes(
    endpoint: str, call: str, kwargs: dict[str, Any], code: str, status: int
) -> None:
    """Errors arrive as EC2 error documents with the right code and HTTP status."""
    with pytest.raises(ClientError) as caught:
        getattr(ec2_client(endpoint), call)(**kwargs)
    assert caught.value.response["Error"]["Code"] == code
    assert caught.value.response["ResponseMetadata"]["HTTPStatusCode"] == status


@pytest.mark.parametrize("variable", ["AWS_ENDPOINT_URL", "AWS_ENDPOINT_URL_EC2"])
def test_endpoint_from_environment(
    endpoint: str, variable: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    """boto3 finds vpclab through AWS_ENDPOINT_URL or AWS_ENDPOINT_URL_EC2 alone."""
    monkeypatch.delenv("AWS_ENDPOINT_URL", raising=False)
    monkeypatch.delenv("AWS_ENDPOINT_URL_EC2", raising=False)
    monkeypatch.setenv(variable, endpoint)
    ec2 = ec2_client()
    vpcs = ec2.describe_vpcs(Filters=[{"Name": "is-default", "Values": ["true"]}])["Vpcs"]
    assert [v["CidrBlock"] for v in vpcs] == ["172.31.0.0/16"]


def test_other_account_and_region_over_http(endpoint: str) -> None:
    """Account from a 12-digit access key, region from the credential scope."""
    theirs = ec2_client(endpoint, key="111122223333", region="eu-west-1")
    vpc = theirs.create_vpc(CidrBlock="10.5.0.0/16")["Vpc"]
    assert vpc["OwnerId"] == "111122223333"
    assert vpc["VpcId"] not in {v["VpcId"] for v in ec2_client(endpoint).describe_vpcs()["Vpcs"]}


def test_health_endpoint(endpoint: str) -> None:
    """Health answers JSON with version, uptime and where the state lives."""
    import vpclab

    body = health(endpoint)
    assert body["status"] == "ok"
    assert body["version"] == vpclab.__version__
    assert body["uptime_seconds"] >= 0
    assert body["state"] == ":memory:"


def test_state_survives_a_restart(tmp_path: Path) -> None:
    """With --state PATH, what one server acknowledged the next one serves."""
    state = tmp_path / "state.db"
    with running_server("--state", str(state)) as first:
        vpc = ec2_client(first).create_vpc(CidrBlock="10.42.0.0/16")["Vpc"]["VpcId"]
        assert health(first)["state"] == str(state)
    with running_server("--state", str(state)) as second:
        again = ec2_client(second).describe_vpcs(VpcIds=[vpc])["Vpcs"]
        assert [v["CidrBlock"] for v in again] == ["10.42.0.0/16"]


def test_corrupt_state_file_stops_the_server_cleanly(tmp_path: Path) -> None:
    """A state file that is not ours: exit status 2, a clear message, the file untouched."""
    state = tmp_path / "state.db"
    state.write_bytes(b"garbage" * 100)
    command = [
        sys.executable,
        "-c",
        "import sys; from vpclab.cli.main import main; sys.exit(main())",
    ]
    done = subprocess.run(
        [*command, "serve", "--port", "0", "--state", str(state)],
        capture_output=True,
        text=True,
        timeout=30,
    )
    assert done.returncode == 2
    assert "not a vpclab state file" in done.stderr
    assert state.read_bytes() == b"garbage" * 100

"""The AWS CLI against a real vpclab server: only --endpoint-url changes."""

from __future__ import annotations

import importlib.metadata
import json
import os
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from tests.e2e.test_server import running_server

pytestmark = pytest.mark.e2e
AWSCLI_MAJOR = int(importlib.metadata.version("awscli").split(".")[0])


@pytest.fixture(scope="module")
def endpoint() -> Iterator[str]:
    """One in-memory server for the module."""
    with running_server("--in-memory", "--settle-seconds", "0") as url:
        yield url


def aws(endpoint: str, tmp_path: Path, *args: str) -> subprocess.CompletedProcess[str]:
    """Run `aws ec2 ARGS` against the server with throw-away credentials and no user config."""
    env = {
        **{k: v for k, v in os.environ.items() if not k.startswith("AWS_")},
        "AWS_ACCESS_KEY_ID": "AKIDEXAMPLE",
        "AWS_SECRET_ACCESS_KEY": "secret",
        "AWS_DEFAULT_REGION": "us-east-1",
        "AWS_CONFIG_FILE": str(tmp_path / "config"),
        "AWS_SHARED_CREDENTIALS_FILE": str(tmp_path / "credentials"),
        "AWS_MAX_ATTEMPTS": "1",
    }
    command = [sys.executable, "-m", "awscli", "ec2", *args]
    command += ["--endpoint-url", endpoint, "--output", "json"]
    if AWSCLI_MAJOR >= 2:  # v1 has no pager (and no --no-cli-pager option)
        command.append("--no-cli-pager")
    return subprocess.run(command, capture_output=True, text=True, env=env, timeout=60)


def output(done: subprocess.CompletedProcess[str]) -> Any:
    """The JSON a successful command printed."""
    assert done.returncode == 0, done.stderr
    return json.loads(done.stdout)


def test_cli_create_vpc_subnet_and_filtered_describe(endpoint: str, tmp_path: Path) -> None:
    """create-vpc, create-subnet and describe-vpcs --filters work unchanged."""
    vpc = output(
        aws(
            endpoint,
            tmp_path,
            "create-vpc",
            "--cidr-block",
            "10.77.0.0/16",
            "--tag-specifications",
            "ResourceType=vpc,Tags=[{Key=Name,Value=cli}]",
        )
    )["Vpc"]
    assert vpc["CidrBlock"] == "10.77.0.0/16"
    subnet = output(
        aws(
            endpoint,
            tmp_path,
            "create-subnet",
            "--vpc-id",
            vpc["VpcId"],
            "--cidr-block",
            "10.77.1.0/24",
            "--availability-zone",
            "us-east-1b",
        )
    )["Subnet"]
    assert subnet["AvailableIpAddressCount"] == 251
    found = output(
        aws(
            endpoint,
            tmp_path,
            "describe-vpcs",
            "--filters",
            "Name=tag:Name,Values=cli",
            "Name=cidr,Values=10.77.0.0/16",
        )
    )["Vpcs"]
    assert [v["VpcId"] for v in found] == [vpc["VpcId"]]


def test_cli_error_exit_code_and_aws_code_on_stderr(endpoint: str, tmp_path: Path) -> None:
    """A refused request exits with the CLI's service-error status (v2: 254, v1: 255) and the code."""
    done = aws(endpoint, tmp_path, "create-vpc", "--cidr-block", "10.0.0.0/8")
    assert done.returncode == (254 if AWSCLI_MAJOR >= 2 else 255)
    assert "InvalidVpc.Range" in done.stderr
    assert "The CIDR '10.0.0.0/8' is invalid." in done.stderr

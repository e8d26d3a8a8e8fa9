"""`vpclab up --once`, `status`, `exec` and `down --all` as a user runs them."""

from __future__ import annotations

import subprocess
import time
from typing import Any

import pytest

from tests.realmode.support import instance, run_vpclab, web_group

# The realm fixture removes this server's namespaces after the module, even if a test fails.
pytestmark = pytest.mark.usefixtures("realm")


def test_up_once_exec_by_name_status_and_down_all(ec2: Any, endpoint: str) -> None:
    """Materialize, run ping in an instance found by its Name tag, list, and remove everything."""
    vpc_id = ec2.create_vpc(CidrBlock="10.0.0.0/16")["Vpc"]["VpcId"]
    subnet = ec2.create_subnet(VpcId=vpc_id, CidrBlock="10.0.1.0/24")["Subnet"]["SubnetId"]
    group = web_group(ec2, vpc_id, "web")
    first, _ = instance(ec2, subnet, group)
    second, second_ip = instance(ec2, subnet, group)
    ec2.create_tags(Resources=[first], Tags=[{"Key": "Name", "Value": "alpha"}])
    time.sleep(0.1)
    up = run_vpclab(endpoint, "up", "--once")
    assert up.returncode == 0, up.stderr
    assert "2 namespaces" in up.stdout
    ping = run_vpclab(endpoint, "exec", "alpha", "--", "ping", "-c1", "-W1", second_ip)
    assert ping.returncode == 0, ping.stdout + ping.stderr
    status = run_vpclab(endpoint, "status")
    assert f"-{first}\n" in status.stdout and f"-{second}\n" in status.stdout
    down = run_vpclab(endpoint, "down", "--all")
    assert down.returncode == 0
    assert first not in run_vpclab(endpoint, "status").stdout


def test_down_all_leaves_another_runs_namespaces_alone(ec2: Any, endpoint: str) -> None:
    """`down --all` removes this server's namespaces only: another run's (tag) survives it."""
    vpc_id = ec2.create_vpc(CidrBlock="10.0.0.0/16")["Vpc"]["VpcId"]
    subnet = ec2.create_subnet(VpcId=vpc_id, CidrBlock="10.0.1.0/24")["Subnet"]["SubnetId"]
    mine, _ = instance(ec2, subnet, web_group(ec2, vpc_id, "solo"))
    time.sleep(0.1)
    assert run_vpclab(endpoint, "up", "--once").returncode == 0
    foreign = "vpclab-0f0f0f-i-0123456789abcdef0"  # as another `vpclab up` would name it
    subprocess.run(["ip", "netns", "add", foreign], check=True)
    try:
        down = run_vpclab(endpoint, "down", "--all")
        assert down.returncode == 0 and mine in down.stdout
        listed = subprocess.run(["ip", "netns", "list"], capture_output=True, text=True).stdout
        assert foreign in listed
        assert mine not in listed
    finally:
        subprocess.run(["ip", "netns", "delete", foreign], check=False)


def test_up_once_says_clearly_when_the_server_cannot_be_read() -> None:
    """No server on the endpoint: `up --once` names it and fails instead of a traceback."""
    done = run_vpclab("http://127.0.0.1:9", "up", "--once")
    assert done.returncode == 1
    assert "cannot read http://127.0.0.1:9" in done.stderr
    assert "Traceback" not in done.stderr

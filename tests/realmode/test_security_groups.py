"""Security groups as real stateful nftables gates, built through boto3 and proved with packets."""

from __future__ import annotations

import threading
import time
from collections.abc import Iterator
from typing import Any

import pytest

from tests.realmode.conftest import ACCOUNT
from tests.realmode.support import instance, pings, run_in, tcp_connects, web_group
from vpclab.realmode.kernel import Applier
from vpclab.realmode.plan import build_plan
from vpclab.realmode.source import Target, fetch_view


@pytest.fixture(scope="module")
def network(ec2: Any, endpoint: str) -> Iterator[dict[str, Any]]:
    """VPC 10.0.0.0/16, two subnets, an open (web), a closed and a no-egress instance; up."""
    vpc_id = ec2.create_vpc(CidrBlock="10.0.0.0/16")["Vpc"]["VpcId"]
    one = ec2.create_subnet(VpcId=vpc_id, CidrBlock="10.0.1.0/24")["Subnet"]["SubnetId"]
    two = ec2.create_subnet(VpcId=vpc_id, CidrBlock="10.0.2.0/24")["Subnet"]["SubnetId"]
    web = web_group(ec2, vpc_id, "web")
    mute = web_group(ec2, vpc_id, "mute", egress=False)
    closed = ec2.create_security_group(GroupName="closed", Description="c", VpcId=vpc_id)
    ids = {
        "a": instance(ec2, one, web),
        "b": instance(ec2, one, closed["GroupId"]),
        "c": instance(ec2, two, web),
        "m": instance(ec2, two, mute),
    }
    time.sleep(0.1)
    target = Target(endpoint, ACCOUNT, "us-east-1")
    applier = Applier()
    applier.apply(build_plan(fetch_view(target)[1]))
    try:
        yield {"ids": ids, "target": target, "applier": applier, "closed": closed["GroupId"]}
    finally:
        applier.teardown()


def test_up_materializes_every_running_instance_with_its_aws_address_and_mac(
    ec2: Any, network: dict[str, Any]
) -> None:
    """Each instance has a namespace whose eth0 carries the private IP and MAC AWS reports."""
    for instance_id, address in network["ids"].values():
        eni = ec2.describe_instances(InstanceIds=[instance_id])["Reservations"][0]["Instances"][0][
            "NetworkInterfaces"
        ][0]
        shown = run_in(instance_id, "ip", "-o", "addr", "show", "dev", "eth0").stdout
        assert f"{address}/24" in shown
        link = run_in(instance_id, "ip", "-o", "link", "show", "dev", "eth0").stdout
        assert eni["MacAddress"].lower() in link.lower()


def test_sg_3_admitted_icmp_passes_within_and_across_subnets(network: dict[str, Any]) -> None:
    """The web group admits ICMP from the VPC: same subnet (L2) and the other subnet (routed)."""
    a, c = network["ids"]["a"], network["ids"]["c"]
    assert pings(a[0], c[1])
    assert pings(c[0], a[1])


def test_sg_4_group_without_inbound_rules_drops_everything(network: dict[str, Any]) -> None:
    """A new group has no inbound rules: ping and TCP to the closed instance are dropped."""
    a, b = network["ids"]["a"], network["ids"]["b"]
    assert not pings(a[0], b[1])
    assert not tcp_connects(a[0], b[1], 80)


def test_sg_7_replies_pass_without_any_egress_rule(
    network: dict[str, Any], tcp_listener: Any
) -> None:
    """The mute group has no egress rule, yet replies to admitted TCP and ICMP flow (stateful)."""
    a, m = network["ids"]["a"], network["ids"]["m"]
    tcp_listener(m[0], 80)
    assert tcp_connects(a[0], m[1], 80)
    assert pings(a[0], m[1])
    assert not pings(m[0], a[1])  # but nothing may leave m on its own


def test_sg_11_only_the_admitted_port_connects(network: dict[str, Any], tcp_listener: Any) -> None:
    """TCP 80 is admitted, TCP 8080 on the same instance is not."""
    a, c = network["ids"]["a"], network["ids"]["c"]
    tcp_listener(c[0], 80)
    tcp_listener(c[0], 8080)
    assert tcp_connects(a[0], c[1], 80)
    assert not tcp_connects(a[0], c[1], 8080)


def test_sg_13_group_reference_and_api_change_reach_the_kernel_quickly(
    ec2: Any, network: dict[str, Any]
) -> None:
    """Authorizing ICMP from the web group on the closed group takes effect within a second."""
    a, b = network["ids"]["a"], network["ids"]["b"]
    applier: Applier = network["applier"]
    stop = threading.Event()

    def follow() -> None:
        """Keep the kernel in step, as `vpclab up` does."""
        while not stop.is_set():
            applier.apply(build_plan(fetch_view(network["target"])[1]))
            time.sleep(0.05)

    web_id = ec2.describe_instances(InstanceIds=[a[0]])["Reservations"][0]["Instances"][0][
        "SecurityGroups"
    ][0]["GroupId"]
    follower = threading.Thread(target=follow)
    follower.start()
    try:
        assert not pings(a[0], b[1])
        ec2.authorize_security_group_ingress(
            GroupId=network["closed"],
            IpPermissions=[
                {
                    "IpProtocol": "icmp",
                    "FromPort": -1,
                    "ToPort": -1,
                    "UserIdGroupPairs": [{"GroupId": web_id}],
                }
            ],
        )
        time.sleep(1.0)
        assert pings(a[0], b[1])
    finally:
        stop.set()
        follower.join()

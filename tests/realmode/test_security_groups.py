"""Security groups as real stateful nftables gates, built through boto3 and proved with packets."""

from __future__ import annotations

import threading
import time
from collections.abc import Iterator
from typing import Any

import pytest

from tests.realmode.support import Realm, instance, web_group


@pytest.fixture(scope="module")
def network(ec2: Any, realm: Realm) -> Iterator[dict[str, Any]]:
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
    realm.apply()
    yield {"ids": ids, "closed": closed["GroupId"]}


def test_up_materializes_every_running_instance_with_its_aws_address_and_mac(
    ec2: Any, realm: Realm, network: dict[str, Any]
) -> None:
    """Each instance has a namespace whose eth0 carries the private IP and MAC AWS reports."""
    for instance_id, address in network["ids"].values():
        eni = ec2.describe_instances(InstanceIds=[instance_id])["Reservations"][0]["Instances"][0][
            "NetworkInterfaces"
        ][0]
        shown = realm.run_in(instance_id, "ip", "-o", "addr", "show", "dev", "eth0").stdout
        assert f"{address}/24" in shown
        link = realm.run_in(instance_id, "ip", "-o", "link", "show", "dev", "eth0").stdout
        assert eni["MacAddress"].lower() in link.lower()


def test_sg_3_admitted_icmp_passes_within_and_across_subnets(
    realm: Realm, network: dict[str, Any]
) -> None:
    """The web group admits ICMP from the VPC: same subnet (L2) and the other subnet (routed)."""
    a, c = network["ids"]["a"], network["ids"]["c"]
    assert realm.pings(a[0], c[1])
    assert realm.pings(c[0], a[1])


def test_sg_4_group_without_inbound_rules_drops_everything(
    realm: Realm, network: dict[str, Any]
) -> None:
    """A new group has no inbound rules: ping and TCP to the closed instance are dropped."""
    a, b = network["ids"]["a"], network["ids"]["b"]
    assert not realm.pings(a[0], b[1])
    assert not realm.tcp_connects(a[0], b[1], 80)


def test_sg_7_replies_pass_without_any_egress_rule(
    realm: Realm, network: dict[str, Any], tcp_listener: Any
) -> None:
    """The mute group has no egress rule, yet replies to admitted TCP and ICMP flow (stateful)."""
    a, m = network["ids"]["a"], network["ids"]["m"]
    tcp_listener(m[0], 80)
    assert realm.tcp_connects(a[0], m[1], 80)
    assert realm.pings(a[0], m[1])
    assert not realm.pings(m[0], a[1])  # but nothing may leave m on its own


def test_sg_11_only_the_admitted_port_connects(
    realm: Realm, network: dict[str, Any], tcp_listener: Any
) -> None:
    """TCP 80 is admitted, TCP 8080 on the same instance is not."""
    a, c = network["ids"]["a"], network["ids"]["c"]
    tcp_listener(c[0], 80)
    tcp_listener(c[0], 8080)
    assert realm.tcp_connects(a[0], c[1], 80)
    assert not realm.tcp_connects(a[0], c[1], 8080)


def test_sg_13_group_reference_and_api_change_reach_the_kernel_quickly(
    ec2: Any, realm: Realm, network: dict[str, Any]
) -> None:
    """Authorizing ICMP from the web group on the closed group takes effect within a second."""
    a, b = network["ids"]["a"], network["ids"]["b"]
    stop = threading.Event()

    def follow() -> None:
        """Keep the kernel in step, as `vpclab up` does."""
        while not stop.is_set():
            realm.apply()
            time.sleep(0.05)

    web_id = ec2.describe_instances(InstanceIds=[a[0]])["Reservations"][0]["Instances"][0][
        "SecurityGroups"
    ][0]["GroupId"]
    follower = threading.Thread(target=follow)
    follower.start()
    try:
        assert not realm.pings(a[0], b[1])
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
        assert realm.pings(a[0], b[1])
    finally:
        stop.set()
        follower.join()

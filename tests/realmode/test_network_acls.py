"""Network ACLs in the VPC router: stateless, ordered, only on traffic that leaves a subnet."""

from __future__ import annotations

import time
from collections.abc import Iterator
from typing import Any

import pytest

from tests.realmode.support import Realm, instance, web_group


def _entry(rule: int, egress: bool, protocol: str, ports: tuple[int, int] | None) -> dict[str, Any]:
    """A CreateNetworkAclEntry request allowing 10.0.0.0/16 for a protocol and port range."""
    request: dict[str, Any] = {
        "RuleNumber": rule,
        "Egress": egress,
        "Protocol": protocol,
        "RuleAction": "allow",
        "CidrBlock": "10.0.0.0/16",
    }
    if ports is not None:
        request["PortRange"] = {"From": ports[0], "To": ports[1]}
    return request


@pytest.fixture(scope="module")
def network(ec2: Any, realm: Realm) -> Iterator[dict[str, Any]]:
    """Subnet one (default NACL) and two (a NACL admitting only TCP 80 both ways); up."""
    vpc_id = ec2.create_vpc(CidrBlock="10.0.0.0/16")["Vpc"]["VpcId"]
    one = ec2.create_subnet(VpcId=vpc_id, CidrBlock="10.0.1.0/24")["Subnet"]["SubnetId"]
    two = ec2.create_subnet(VpcId=vpc_id, CidrBlock="10.0.2.0/24")["Subnet"]["SubnetId"]
    acl = ec2.create_network_acl(VpcId=vpc_id)["NetworkAcl"]["NetworkAclId"]
    ec2.create_network_acl_entry(NetworkAclId=acl, **_entry(100, False, "6", (80, 80)))
    ec2.create_network_acl_entry(NetworkAclId=acl, **_entry(100, True, "6", (80, 80)))
    current = ec2.describe_network_acls(
        Filters=[{"Name": "association.subnet-id", "Values": [two]}]
    )
    association = next(
        a["NetworkAclAssociationId"]
        for a in current["NetworkAcls"][0]["Associations"]
        if a["SubnetId"] == two
    )
    ec2.replace_network_acl_association(AssociationId=association, NetworkAclId=acl)
    web = web_group(ec2, vpc_id, "web")
    ids = {
        "a": instance(ec2, one, web),
        "c": instance(ec2, two, web),
        "d": instance(ec2, two, web),
    }
    time.sleep(0.1)
    realm.apply()
    yield {"ids": ids, "acl": acl}


def test_nacl_5_without_ephemeral_return_ports_tcp_breaks_though_sg_needs_no_return_rule(
    ec2: Any, realm: Realm, network: dict[str, Any], tcp_listener: Any
) -> None:
    """Replies leave subnet two towards port 3xxxx, which its NACL does not allow: no TCP.

    Allowing outbound ephemeral ports 1024-65535 fixes it; the SG never needed a return rule.
    """
    a, c = network["ids"]["a"], network["ids"]["c"]
    tcp_listener(c[0], 80)
    assert not realm.tcp_connects(a[0], c[1], 80)
    ec2.create_network_acl_entry(
        NetworkAclId=network["acl"], **_entry(110, True, "6", (1024, 65535))
    )
    realm.apply()
    assert realm.tcp_connects(a[0], c[1], 80)


def test_nacl_4_protocols_without_an_allow_entry_are_dropped(
    realm: Realm, network: dict[str, Any]
) -> None:
    """ICMP matches no entry of subnet two's NACL, so the final deny drops it (SG allows it)."""
    a, c = network["ids"]["a"], network["ids"]["c"]
    assert not realm.pings(a[0], c[1])


def test_nacl_15_traffic_inside_a_subnet_never_meets_the_nacl(
    realm: Realm, network: dict[str, Any]
) -> None:
    """c and d share subnet two: ICMP between them passes although the NACL denies ICMP."""
    c, d = network["ids"]["c"], network["ids"]["d"]
    assert realm.pings(c[0], d[1])

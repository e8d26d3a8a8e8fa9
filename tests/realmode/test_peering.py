"""VPC peering in real mode: links between VPC routers carrying only the two VPCs' traffic."""

from __future__ import annotations

import subprocess
import time
from collections.abc import Iterator
from typing import Any

import pytest

from tests.realmode.support import Realm, instance, main_route_table, web_group
from vpclab.realmode.internet_hosts import INTERNET_HOSTS
from vpclab.realmode.plan import short_name


def _peer(ec2: Any, requester: str, accepter: str) -> str:
    """An accepted same-account peering between two VPCs."""
    pcx = ec2.create_vpc_peering_connection(VpcId=requester, PeerVpcId=accepter)
    pcx_id = pcx["VpcPeeringConnection"]["VpcPeeringConnectionId"]
    time.sleep(0.1)  # initiating-request settles into pending-acceptance
    ec2.accept_vpc_peering_connection(VpcPeeringConnectionId=pcx_id)
    return str(pcx_id)


@pytest.fixture(scope="module")
def network(ec2: Any, realm: Realm) -> Iterator[dict[str, Any]]:
    """VPCs A (10.1/16), B (10.2/16, with an IGW), C (10.3/16); peerings A-B and B-C.

    Every route that could carry A<->C traffic through B exists, and A sends 0.0.0.0/0 to B,
    whose own instance reaches the internet: only the peering's own rule stops them.
    """
    vpcs, ids = {}, {}
    for name, second in (("a", 1), ("b", 2), ("c", 3)):
        vpc_id = ec2.create_vpc(CidrBlock=f"10.{second}.0.0/16")["Vpc"]["VpcId"]
        subnet = ec2.create_subnet(VpcId=vpc_id, CidrBlock=f"10.{second}.1.0/24")["Subnet"]
        group = web_group(ec2, vpc_id, f"web-{name}", cidr="10.0.0.0/8")
        vpcs[name] = vpc_id
        ids[name] = instance(ec2, subnet["SubnetId"], group)
    ab, bc = _peer(ec2, vpcs["a"], vpcs["b"]), _peer(ec2, vpcs["b"], vpcs["c"])
    routes = {
        "a": [("10.2.0.0/16", ab), ("10.3.0.0/16", ab), ("0.0.0.0/0", ab)],
        "b": [("10.1.0.0/16", ab), ("10.3.0.0/16", bc)],
        "c": [("10.2.0.0/16", bc), ("10.1.0.0/16", bc)],
    }
    for name, entries in routes.items():
        table = main_route_table(ec2, vpcs[name])
        for destination, pcx in entries:
            ec2.create_route(
                RouteTableId=table, DestinationCidrBlock=destination, VpcPeeringConnectionId=pcx
            )
    igw = ec2.create_internet_gateway()["InternetGateway"]["InternetGatewayId"]
    ec2.attach_internet_gateway(InternetGatewayId=igw, VpcId=vpcs["b"])
    ec2.create_route(
        RouteTableId=main_route_table(ec2, vpcs["b"]),
        DestinationCidrBlock="0.0.0.0/0",
        GatewayId=igw,
    )
    eip = ec2.allocate_address(Domain="vpc")
    ec2.associate_address(AllocationId=eip["AllocationId"], InstanceId=ids["b"][0])
    time.sleep(0.1)
    realm.apply()
    yield {"ids": ids, "ab": ab, "eip": eip["PublicIp"], "vpcs": vpcs}


def test_pcx_8_peered_vpcs_reach_each_other(realm: Realm, network: dict[str, Any]) -> None:
    """A-B and B-C are active with routes both ways: ping crosses each peering."""
    a, b, c = (network["ids"][name] for name in "abc")
    assert realm.pings(a[0], b[1])
    assert realm.pings(b[0], a[1])
    assert realm.pings(c[0], b[1])


def test_pcx_10_peering_is_not_transitive(realm: Realm, network: dict[str, Any]) -> None:
    """A routes C's range to A-B and B routes it on to B-C; still A and C never connect."""
    a, c = network["ids"]["a"], network["ids"]["c"]
    assert not realm.pings(a[0], c[1])
    assert not realm.pings(c[0], a[1])


def test_pcx_11_no_edge_to_edge_through_the_peers_internet_gateway(
    realm: Realm, network: dict[str, Any]
) -> None:
    """B reaches the internet with its EIP; A, routing 0.0.0.0/0 to the peering, does not."""
    a, b = network["ids"]["a"], network["ids"]["b"]
    assert realm.curl(b[0], f"http://{INTERNET_HOSTS[0]}/") == network["eip"]
    assert realm.curl(a[0], f"http://{INTERNET_HOSTS[0]}/") is None


def test_pcx_9_deleting_the_peering_cuts_the_link(
    ec2: Any, realm: Realm, network: dict[str, Any]
) -> None:
    """Once A-B is deleted its routes are blackholes and the link is gone: no more ping."""
    a, b = network["ids"]["a"], network["ids"]["b"]
    ec2.delete_vpc_peering_connection(VpcPeeringConnectionId=network["ab"])
    realm.apply()
    assert not realm.pings(a[0], b[1])
    assert network["ab"] not in realm.applier.applied_peerings
    router = realm.namespace(network["vpcs"]["a"])
    listed = subprocess.run(
        ["ip", "netns", "exec", router, "nft", "list", "table", "inet", "vpclab_pcx"],
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    assert short_name("p", network["ab"]) not in listed  # no filter of the gone link lingers

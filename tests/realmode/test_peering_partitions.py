"""Peering across accounts and regions in real mode: both VPCs are served by the same vpclab in
different partitions; an unconfined `vpclab up` builds them all and links the two routers with
the same CIDR-bound, non-transitive filter as a peering inside one partition (PCX-14)."""

from __future__ import annotations

import time
from collections.abc import Iterator
from typing import Any

import pytest

from tests.realmode.support import (
    ACCOUNT,
    Realm,
    http_client,
    instance,
    main_route_table,
    run_vpclab,
    web_group,
)
from vpclab.realmode.kernel import list_namespaces
from vpclab.realmode.plan import build_plan
from vpclab.realmode.source import Target, fetch_world

OTHER_ACCOUNT = "210987654321"


def _vpc_with_instance(ec2: Any, second: int) -> tuple[str, tuple[str, str], str]:
    """VPC 10.<second>.0.0/16 with one instance admitting ICMP and TCP 80 from 10.0.0.0/8;
    (VPC id, (instance id, address), its group)."""
    vpc_id = ec2.create_vpc(CidrBlock=f"10.{second}.0.0/16")["Vpc"]["VpcId"]
    subnet = ec2.create_subnet(VpcId=vpc_id, CidrBlock=f"10.{second}.1.0/24")["Subnet"]
    group = web_group(ec2, vpc_id, f"web-{second}", cidr="10.0.0.0/8")
    return vpc_id, instance(ec2, subnet["SubnetId"], group), group


@pytest.fixture(scope="module")
def network(ec2: Any, endpoint: str, realm: Realm) -> Iterator[dict[str, Any]]:
    """A (this account, us-east-1, 10.1/16) peers with B (another account, us-east-1, 10.2/16)
    and with C (this account, us-west-2, 10.3/16); B routes C's range to A-B as well, and C
    routes B's range to A-C: only the peerings' rules keep B and C apart."""
    other = http_client(endpoint, account=OTHER_ACCOUNT)
    west = http_client(endpoint, region="us-west-2")
    vpc_a, a, group_a = _vpc_with_instance(ec2, 1)
    vpc_b, b, group_b = _vpc_with_instance(other, 2)
    vpc_c, c, _ = _vpc_with_instance(west, 3)
    ab = ec2.create_vpc_peering_connection(VpcId=vpc_a, PeerVpcId=vpc_b, PeerOwnerId=OTHER_ACCOUNT)
    ac = ec2.create_vpc_peering_connection(VpcId=vpc_a, PeerVpcId=vpc_c, PeerRegion="us-west-2")
    ab_id = ab["VpcPeeringConnection"]["VpcPeeringConnectionId"]
    ac_id = ac["VpcPeeringConnection"]["VpcPeeringConnectionId"]
    time.sleep(0.1)  # initiating-request settles into pending-acceptance
    other.accept_vpc_peering_connection(VpcPeeringConnectionId=ab_id)
    west.accept_vpc_peering_connection(VpcPeeringConnectionId=ac_id)
    routes = (
        (ec2, vpc_a, (("10.2.0.0/16", ab_id), ("10.3.0.0/16", ac_id))),
        (other, vpc_b, (("10.1.0.0/16", ab_id), ("10.3.0.0/16", ab_id))),
        (west, vpc_c, (("10.1.0.0/16", ac_id), ("10.2.0.0/16", ac_id))),
    )
    for client, vpc_id, entries in routes:
        table = main_route_table(client, vpc_id)
        for destination, pcx in entries:
            client.create_route(
                RouteTableId=table, DestinationCidrBlock=destination, VpcPeeringConnectionId=pcx
            )
    time.sleep(0.1)  # inter-region acceptance provisions before it is active
    # B admits TCP 8080 from members of A's group only, referenced across the peering.
    other.authorize_security_group_ingress(
        GroupId=group_b,
        IpPermissions=[
            {
                "IpProtocol": "tcp",
                "FromPort": 8080,
                "ToPort": 8080,
                "UserIdGroupPairs": [
                    {"GroupId": group_a, "UserId": ACCOUNT, "VpcPeeringConnectionId": ab_id}
                ],
            }
        ],
    )
    realm.apply()
    yield {"a": a, "b": b, "c": c, "vpc_a": vpc_a, "ab": ab_id, "ac": ac_id}


def test_pcx_14_cross_account_peering_carries_traffic_both_ways(
    realm: Realm, network: dict[str, Any]
) -> None:
    """A and B, in two accounts, ping each other over their active peering."""
    a, b = network["a"], network["b"]
    assert realm.pings(a[0], b[1])
    assert realm.pings(b[0], a[1])


def test_pcx_14_cross_region_peering_carries_traffic_both_ways(
    realm: Realm, network: dict[str, Any], tcp_listener: Any
) -> None:
    """A in us-east-1 and C in us-west-2: ping both ways and a TCP connection to port 80."""
    a, c = network["a"], network["c"]
    tcp_listener(c[0], 80)
    assert realm.pings(a[0], c[1])
    assert realm.pings(c[0], a[1])
    assert realm.tcp_connects(a[0], c[1], 80)


def test_pcx_10_peerings_across_partitions_are_not_transitive(
    realm: Realm, network: dict[str, Any]
) -> None:
    """B routes C's range to A-B and C routes B's to A-C; A would forward, the links do not."""
    b, c = network["b"], network["c"]
    assert not realm.pings(b[0], c[1])
    assert not realm.pings(c[0], b[1])


def test_pcx_14_up_narrowed_to_one_account_builds_no_link_to_the_other(
    endpoint: str, network: dict[str, Any]
) -> None:
    """`vpclab up --account A` sees neither B's VPC nor its router: no A-B link is planned and
    A's route to B's range is a blackhole; the A-C link (same account) is still planned."""
    target = Target(endpoint, ACCOUNT)
    plan = build_plan(fetch_world(target)[1], target.run)
    assert [link.peering_id for link in plan.peerings] == [network["ac"]]
    (router_a,) = [router for router in plan.routers if router.vpc_id == network["vpc_a"]]
    assert any(line.startswith("route add blackhole 10.2.0.0/16") for line in router_a.routing)


def test_pcx_13_group_of_the_peer_account_admits_its_members(
    realm: Realm, network: dict[str, Any], tcp_listener: Any
) -> None:
    """B's only rule for 8080 names A's group in A's account (across the peering): A, a member,
    connects to 8080 on B (its address is in B's rules though it lives in another account)."""
    a, b = network["a"], network["b"]
    tcp_listener(b[0], 8080)
    assert realm.tcp_connects(a[0], b[1], 8080)


def test_pcx_14_up_says_which_partitions_it_shows_and_which_peerings_stay_unlinked(
    endpoint: str, network: dict[str, Any]
) -> None:
    """`vpclab up --once --account A` names A's two regions and the A-B peering it cannot link
    (B's account is not shown); `vpclab down --account A` removes exactly that run."""
    up = run_vpclab(endpoint, "up", "--once", "--account", ACCOUNT)
    try:
        assert up.returncode == 0, up.stderr
        assert f"shows account {ACCOUNT} (us-east-1, us-west-2)\n" in up.stdout
        unlinked = [line for line in up.stdout.splitlines() if "stay unlinked" in line]
        assert len(unlinked) == 1 and network["ab"] in unlinked[0]
        assert OTHER_ACCOUNT in unlinked[0] and network["ac"] not in unlinked[0]
    finally:
        down = run_vpclab(endpoint, "down", "--account", ACCOUNT)
    assert down.returncode == 0
    assert not list_namespaces(Target(endpoint, ACCOUNT).run)

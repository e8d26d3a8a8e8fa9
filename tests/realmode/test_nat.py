"""NAT gateways and NAT instances in real mode; UDP through them, proved with real packets."""

from __future__ import annotations

import time
from collections.abc import Iterator
from typing import Any

import pytest

from tests.realmode.support import Realm, instance, launch, web_group
from vpclab.realmode.internet_hosts import INTERNET_HOSTS

WEB_HOST = INTERNET_HOSTS[0]


def _routed_subnet(ec2: Any, vpc_id: str, cidr: str, **target: str) -> str:
    """A subnet with its own route table sending 0.0.0.0/0 to the given target."""
    subnet = ec2.create_subnet(VpcId=vpc_id, CidrBlock=cidr)["Subnet"]["SubnetId"]
    table = ec2.create_route_table(VpcId=vpc_id)["RouteTable"]["RouteTableId"]
    ec2.associate_route_table(RouteTableId=table, SubnetId=subnet)
    ec2.create_route(RouteTableId=table, DestinationCidrBlock="0.0.0.0/0", **target)
    return str(subnet)


@pytest.fixture(scope="module")
def network(ec2: Any, realm: Realm) -> Iterator[dict[str, Any]]:
    """Public subnet (IGW) with a NAT gateway and a NAT instance; private subnets behind each.

    `private` and `tcp_only` route to the NAT gateway (`tcp_only` may send TCP but not UDP);
    `behind` routes to the NAT instance, whose source/dest check starts on.
    """
    vpc_id = ec2.create_vpc(CidrBlock="10.0.0.0/16")["Vpc"]["VpcId"]
    igw = ec2.create_internet_gateway()["InternetGateway"]["InternetGatewayId"]
    ec2.attach_internet_gateway(InternetGatewayId=igw, VpcId=vpc_id)
    public = _routed_subnet(ec2, vpc_id, "10.0.1.0/24", GatewayId=igw)
    eip = ec2.allocate_address(Domain="vpc")
    nat = ec2.create_nat_gateway(SubnetId=public, AllocationId=eip["AllocationId"])
    nat_id = nat["NatGateway"]["NatGatewayId"]
    private = _routed_subnet(ec2, vpc_id, "10.0.2.0/24", NatGatewayId=nat_id)
    group = web_group(ec2, vpc_id, "web")
    tcp_only = web_group(ec2, vpc_id, "tcp-only", egress=False)
    ec2.authorize_security_group_egress(
        GroupId=tcp_only,
        IpPermissions=[
            {
                "IpProtocol": "tcp",
                "FromPort": 0,
                "ToPort": 65535,
                "IpRanges": [{"CidrIp": "0.0.0.0/0"}],
            }
        ],
    )
    appliance_group = web_group(ec2, vpc_id, "appliance")
    ec2.authorize_security_group_ingress(
        GroupId=appliance_group,
        IpPermissions=[{"IpProtocol": "-1", "IpRanges": [{"CidrIp": "10.0.3.0/24"}]}],
    )
    appliance = launch(ec2, public, appliance_group, public=True)
    behind_subnet = _routed_subnet(ec2, vpc_id, "10.0.3.0/24", InstanceId=appliance["InstanceId"])
    ids = {
        "private": instance(ec2, private, group),
        "tcp_only": instance(ec2, private, tcp_only),
        "behind": instance(ec2, behind_subnet, group),
    }
    time.sleep(0.1)
    realm.apply()
    yield {
        "ids": ids,
        "nat": nat_id,
        "eip": eip["PublicIp"],
        "appliance": appliance["InstanceId"],
        "appliance_ip": appliance["PublicIpAddress"],
    }


def test_nat_6_private_instance_is_seen_on_the_internet_with_the_nat_gateways_eip(
    realm: Realm, network: dict[str, Any]
) -> None:
    """curl from the private instance: the internet host saw the NAT gateway's Elastic IP."""
    private, _ = network["ids"]["private"]
    assert realm.curl(private, f"http://{WEB_HOST}/") == network["eip"]
    assert realm.pings(private, WEB_HOST)


def test_nat_6_udp_exchange_through_the_nat_gateway(realm: Realm, network: dict[str, Any]) -> None:
    """A UDP 53 query from the private instance is answered; the server saw the EIP."""
    private, _ = network["ids"]["private"]
    assert realm.udp_answer(private, WEB_HOST, 53) == network["eip"]


def test_sg_11_udp_dropped_where_the_egress_rules_admit_only_tcp(
    realm: Realm, network: dict[str, Any]
) -> None:
    """Egress TCP only: HTTP through the NAT gateway works, the UDP query never leaves."""
    tcp_only, _ = network["ids"]["tcp_only"]
    assert realm.curl(tcp_only, f"http://{WEB_HOST}/") == network["eip"]
    assert realm.udp_answer(tcp_only, WEB_HOST, 53) is None


def test_nat_8_internet_cannot_open_a_connection_through_the_nat_gateway(
    realm: Realm, network: dict[str, Any], tcp_listener: Any
) -> None:
    """From the internet the EIP answers neither ping nor TCP, though an instance listens."""
    private, _ = network["ids"]["private"]
    tcp_listener(private, 80)
    probe = (
        "import socket,sys; s=socket.socket(); s.settimeout(1); sys.exit(s.connect_ex(({!r},80)))"
    )
    assert realm.run_in("internet", "python3", "-c", probe.format(network["eip"])).returncode != 0
    assert realm.run_in("internet", "ping", "-c1", "-W1", network["eip"]).returncode != 0


def test_nati_2_nat_instance_forwards_only_with_source_dest_check_off(
    ec2: Any, realm: Realm, network: dict[str, Any]
) -> None:
    """Route to a NAT instance: nothing passes while its check is on; with it off the internet
    sees the NAT instance's public address (NATI-6)."""
    behind, _ = network["ids"]["behind"]
    assert realm.curl(behind, f"http://{WEB_HOST}/") is None
    ec2.modify_instance_attribute(InstanceId=network["appliance"], SourceDestCheck={"Value": False})
    realm.apply()
    try:
        assert realm.curl(behind, f"http://{WEB_HOST}/") == network["appliance_ip"]
        assert realm.udp_answer(behind, WEB_HOST, 53) == network["appliance_ip"]
    finally:
        ec2.modify_instance_attribute(
            InstanceId=network["appliance"], SourceDestCheck={"Value": True}
        )
        realm.apply()
    assert realm.curl(behind, f"http://{WEB_HOST}/") is None  # check on again: nothing passes
    listed = realm.run_in(network["appliance"], "nft", "list", "table", "ip", "vpclab_nat")
    assert "snat" not in listed.stdout

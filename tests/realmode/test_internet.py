"""The internet gateway as 1:1 NAT to a simulated internet namespace, proved with curl and ping."""

from __future__ import annotations

import time
from collections.abc import Iterator
from typing import Any

import pytest

from tests.realmode.support import Realm, launch
from vpclab.realmode.internet_hosts import INTERNET_HOSTS
from vpclab.realmode.kernel import list_namespaces

WEB_HOST = INTERNET_HOSTS[0]


@pytest.fixture(scope="module")
def network(ec2: Any, realm: Realm) -> Iterator[dict[str, Any]]:
    """A public subnet (route 0.0.0.0/0 to the IGW) with a public and a private instance."""
    vpc_id = ec2.create_vpc(CidrBlock="10.0.0.0/16")["Vpc"]["VpcId"]
    public = ec2.create_subnet(VpcId=vpc_id, CidrBlock="10.0.1.0/24")["Subnet"]["SubnetId"]
    igw = ec2.create_internet_gateway()["InternetGateway"]["InternetGatewayId"]
    ec2.attach_internet_gateway(InternetGatewayId=igw, VpcId=vpc_id)
    table = ec2.create_route_table(VpcId=vpc_id)["RouteTable"]["RouteTableId"]
    ec2.associate_route_table(RouteTableId=table, SubnetId=public)
    ec2.create_route(RouteTableId=table, DestinationCidrBlock="0.0.0.0/0", GatewayId=igw)
    group = ec2.create_security_group(GroupName="web", Description="web", VpcId=vpc_id)["GroupId"]
    ec2.authorize_security_group_ingress(
        GroupId=group,
        IpPermissions=[
            {
                "IpProtocol": "tcp",
                "FromPort": 80,
                "ToPort": 80,
                "IpRanges": [{"CidrIp": "0.0.0.0/0"}],
            }
        ],
    )
    with_ip = launch(ec2, public, group, public=True)
    without_ip = launch(ec2, public, group, public=False)
    time.sleep(0.1)
    realm.apply()
    yield {"public": with_ip, "private": without_ip, "table": table, "igw": igw}


def test_igw_3_public_instance_is_seen_on_the_internet_with_its_public_address(
    realm: Realm,
    network: dict[str, Any],
) -> None:
    """curl from the instance to an internet host: the host saw the instance's public IPv4."""
    instance = network["public"]
    assert instance.get("PublicIpAddress")
    assert realm.curl(instance["InstanceId"], f"http://{WEB_HOST}/") == instance["PublicIpAddress"]


def test_igw_4_instance_without_public_address_cannot_reach_the_internet(
    realm: Realm,
    network: dict[str, Any],
) -> None:
    """Same subnet, same route, no public IPv4: nothing reaches the internet."""
    assert realm.curl(network["private"]["InstanceId"], f"http://{WEB_HOST}/") is None


def test_pkt_5_internet_reaches_public_address_only_on_admitted_ports(
    realm: Realm, network: dict[str, Any], tcp_listener: Any
) -> None:
    """From the internet: TCP 80 on the public IP connects, TCP 8080 and ICMP are dropped."""
    instance = network["public"]
    tcp_listener(instance["InstanceId"], 80)
    tcp_listener(instance["InstanceId"], 8080)
    address = instance["PublicIpAddress"]
    probe = (
        "import socket,sys; s=socket.socket(); s.settimeout(1); sys.exit(s.connect_ex(({!r},{})))"
    )
    assert realm.run_in("internet", "python3", "-c", probe.format(address, 80)).returncode == 0
    assert realm.run_in("internet", "python3", "-c", probe.format(address, 8080)).returncode != 0
    assert realm.run_in("internet", "ping", "-c1", "-W1", address).returncode != 0


def test_rt_12_route_change_through_the_api_takes_effect(
    ec2: Any, realm: Realm, network: dict[str, Any]
) -> None:
    """Deleting the default route cuts the instance off; recreating it restores the path."""
    instance_id = network["public"]["InstanceId"]
    igw = network["igw"]
    ec2.delete_route(RouteTableId=network["table"], DestinationCidrBlock="0.0.0.0/0")
    realm.apply()
    assert not realm.pings(instance_id, WEB_HOST)
    ec2.create_route(RouteTableId=network["table"], DestinationCidrBlock="0.0.0.0/0", GatewayId=igw)
    realm.apply()
    assert realm.curl(instance_id, f"http://{WEB_HOST}/") == network["public"]["PublicIpAddress"]


def test_igw_6_translation_survives_the_router_being_rebuilt(
    ec2: Any, realm: Realm, network: dict[str, Any]
) -> None:
    """An instance in a new subnet rewires the VPC router; the public instance still reaches
    the internet with its public address (the internet side's routes are rewritten too)."""
    vpc_id = network["public"]["VpcId"]
    subnet = ec2.create_subnet(VpcId=vpc_id, CidrBlock="10.0.9.0/24")["Subnet"]["SubnetId"]
    group = network["public"]["SecurityGroups"][0]["GroupId"]
    launch(ec2, subnet, group)
    time.sleep(0.1)
    realm.apply()
    instance = network["public"]
    assert realm.curl(instance["InstanceId"], f"http://{WEB_HOST}/") == instance["PublicIpAddress"]


def test_eip_2_an_elastic_ip_associated_through_the_api_is_what_the_internet_sees(
    ec2: Any, realm: Realm, network: dict[str, Any]
) -> None:
    """The instance without a public address gets an EIP: it now reaches the internet as it."""
    instance_id = network["private"]["InstanceId"]
    eip = ec2.allocate_address(Domain="vpc")
    ec2.associate_address(AllocationId=eip["AllocationId"], InstanceId=instance_id)
    realm.apply()
    assert realm.curl(instance_id, f"http://{WEB_HOST}/") == eip["PublicIp"]


def test_eni_4_stop_and_start_rebuild_the_instance_with_its_new_public_address(
    ec2: Any, realm: Realm, network: dict[str, Any]
) -> None:
    """Stopped, its namespace goes; started again, it is back, seen with its new public IPv4."""
    instance_id = network["public"]["InstanceId"]
    ec2.stop_instances(InstanceIds=[instance_id])
    time.sleep(0.1)
    realm.apply()
    assert realm.namespace(instance_id) not in list_namespaces(realm.target.run)
    ec2.start_instances(InstanceIds=[instance_id])
    time.sleep(0.1)
    realm.apply()
    described = ec2.describe_instances(InstanceIds=[instance_id])["Reservations"][0]["Instances"]
    address = described[0]["PublicIpAddress"]
    assert realm.curl(instance_id, f"http://{WEB_HOST}/") == address

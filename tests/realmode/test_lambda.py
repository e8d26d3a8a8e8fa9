"""Lambda functions in a VPC in real mode: each Hyperplane ENI is a namespace that `vpclab exec`
runs in, under the ENI's groups, its subnet's NACL and route table (PKT-10); nothing can open a
connection to it (LAM-2), it has no public address (LAM-3) and sends only TCP/UDP (LAM-4)."""

from __future__ import annotations

import time
from collections.abc import Iterator
from typing import Any

import pytest

from tests.realmode.support import Realm, http_client, instance, run_vpclab, web_group
from tests.services.world import CODE, ROLE, build_vpc, make_db, make_function, open_group
from vpclab.realmode.internet_hosts import INTERNET_HOSTS
from vpclab.realmode.kernel import list_namespaces

WEB = f"http://{INTERNET_HOSTS[0]}/"


def _lambda_eni(ec2: Any, subnet: str, group: str) -> tuple[str, str]:
    """The Hyperplane ENI of (subnet, group): its id and private address."""
    enis = ec2.describe_network_interfaces(
        Filters=[
            {"Name": "subnet-id", "Values": [subnet]},
            {"Name": "group-id", "Values": [group]},
        ]
    )["NetworkInterfaces"]
    (eni,) = [eni for eni in enis if eni["InterfaceType"] == "lambda"]
    return eni["NetworkInterfaceId"], eni["PrivateIpAddress"]


@pytest.fixture(scope="module")
def network(ec2: Any, endpoint: str, realm: Realm) -> Iterator[dict[str, Any]]:
    """Public subnets (IGW, a NAT gateway) and private ones routing to the NAT; a database in
    another subnet admitting 5432 from anywhere; a client instance; three functions: `orders`
    (private, group `fn` that admits everything from the VPC), `edge` (public subnet, `fn`)
    and `sealed` (private, a group without egress rules)."""
    lam, rds = http_client(endpoint, "lambda"), http_client(endpoint, "rds")
    net = build_vpc(ec2)
    eip = ec2.allocate_address(Domain="vpc")
    nat = ec2.create_nat_gateway(SubnetId=net.public[0], AllocationId=eip["AllocationId"])
    private_table = ec2.create_route_table(VpcId=net.vpc)["RouteTable"]["RouteTableId"]
    ec2.create_route(
        RouteTableId=private_table,
        DestinationCidrBlock="0.0.0.0/0",
        NatGatewayId=nat["NatGateway"]["NatGatewayId"],
    )
    for subnet in net.private:
        ec2.associate_route_table(RouteTableId=private_table, SubnetId=subnet)
    fn = ec2.create_security_group(GroupName="fn", Description="fn", VpcId=net.vpc)["GroupId"]
    ec2.authorize_security_group_ingress(
        GroupId=fn, IpPermissions=[{"IpProtocol": "-1", "IpRanges": [{"CidrIp": "10.0.0.0/16"}]}]
    )
    sealed = web_group(ec2, net.vpc, "sealed", egress=False)
    database = make_db(rds, net, open_group(ec2, net.vpc, 5432, "db"))
    client = instance(ec2, net.private[1], web_group(ec2, net.vpc, "client"))
    make_function(lam, "orders", [net.private[0]], [fn])
    make_function(lam, "edge", [net.public[0]], [fn])
    make_function(lam, "sealed", [net.private[0]], [sealed])
    time.sleep(0.1)  # the NAT gateway, the instance and the database settle
    realm.apply()
    db_name = rds.describe_db_instances(DBInstanceIdentifier=database["DBInstanceIdentifier"])
    yield {
        "orders": _lambda_eni(ec2, net.private[0], fn),
        "edge": _lambda_eni(ec2, net.public[0], fn),
        "sealed": _lambda_eni(ec2, net.private[0], sealed),
        "client": client,
        "db": db_name["DBInstances"][0]["Endpoint"]["Address"],
        "eip": eip["PublicIp"],
    }


def test_pkt_10_exec_by_function_name_reaches_the_database_from_the_enis_address(
    endpoint: str, network: dict[str, Any]
) -> None:
    """`vpclab exec orders -- curl http://<db endpoint>:5432/`: the database answers, and the
    address it saw is the function's Hyperplane ENI's."""
    command = ["curl", "-s", "--max-time", "2", f"http://{network['db']}:5432/"]
    done = run_vpclab(endpoint, "exec", "orders", "--", *command)
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip() == network["orders"][1]


def test_exec_names_a_function_outside_any_vpc_and_an_unknown_name(
    endpoint: str, network: dict[str, Any]
) -> None:
    """A function without a VPC config has no ENI to run in, and a name nothing carries is
    not found: `vpclab exec` says which, exit 2, no traceback."""
    http_client(endpoint, "lambda").create_function(
        FunctionName="outside",
        Runtime="python3.12",
        Role=ROLE,
        Handler="app.handler",
        Code={"ZipFile": CODE},
    )
    outside = run_vpclab(endpoint, "exec", "outside", "--", "true")
    assert outside.returncode == 2 and "'outside' is not in a VPC" in outside.stderr
    unknown = run_vpclab(endpoint, "exec", "nobody", "--", "true")
    assert unknown.returncode == 2
    assert "no instance or Lambda function named 'nobody'" in unknown.stderr


def test_lam_3_function_in_a_private_subnet_reaches_the_internet_through_the_nat_gateway(
    realm: Realm, network: dict[str, Any]
) -> None:
    """Its subnet routes 0.0.0.0/0 to the NAT gateway: the internet sees the NAT's EIP."""
    assert realm.curl(network["orders"][0], WEB) == network["eip"]


def test_lam_3_function_in_a_public_subnet_has_no_internet(
    realm: Realm, network: dict[str, Any]
) -> None:
    """Its subnet routes to the IGW, but a Lambda ENI has no public address: nothing leaves."""
    assert realm.curl(network["edge"][0], WEB) is None


def test_lam_2_nothing_opens_a_connection_to_a_lambda_eni(
    realm: Realm, network: dict[str, Any], tcp_listener: Any
) -> None:
    """A listener on the function's ENI, its group admitting everything from the VPC: the
    client instance still cannot connect, nor ping it; the function connects to the client."""
    orders, orders_ip = network["orders"]
    client, client_ip = network["client"]
    tcp_listener(orders, 80)
    tcp_listener(client, 80)
    assert not realm.tcp_connects(client, orders_ip, 80)
    assert not realm.pings(client, orders_ip)
    assert realm.tcp_connects(orders, client_ip, 80)


def test_lam_4_a_lambda_eni_sends_tcp_and_udp_only(realm: Realm, network: dict[str, Any]) -> None:
    """The client's group admits ICMP from the VPC, yet a ping from the function is dropped
    (UDP to the internet through the NAT passes); its source ports are 1024-65535."""
    orders, _ = network["orders"]
    assert not realm.pings(orders, network["client"][1])
    assert realm.udp_answer(orders, INTERNET_HOSTS[0]) == network["eip"]
    ports = realm.run_in(orders, "cat", "/proc/sys/net/ipv4/ip_local_port_range").stdout.split()
    assert ports == ["1024", "65535"]


def test_lam_4_the_enis_security_group_egress_applies(
    realm: Realm, network: dict[str, Any]
) -> None:
    """The `sealed` function's group has no egress rule: the database (open to all) and the
    internet are both out of its reach."""
    sealed = network["sealed"][0]
    assert realm.curl(sealed, f"http://{network['db']}:5432/") is None
    assert realm.curl(sealed, WEB) is None


def test_lam_1_the_last_function_of_an_eni_going_takes_its_namespace_along(
    endpoint: str, realm: Realm, network: dict[str, Any]
) -> None:
    """`sealed` is the only function on its (subnet, group set) ENI: once it is deleted, Lambda
    releases the ENI and the next apply removes its namespace; `orders` keeps its own."""
    http_client(endpoint, "lambda").delete_function(FunctionName="sealed")
    realm.apply()
    present = set(list_namespaces(realm.target.run))
    assert realm.namespace(network["sealed"][0]) not in present
    assert realm.namespace(network["orders"][0]) in present

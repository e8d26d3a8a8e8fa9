"""Lambda in a VPC through a boto3 Lambda client answered in-process (REST-JSON): validations,
shared Hyperplane ENIs (LAM-1), no public address (LAM-3), one-way reachability (LAM-2)."""

from __future__ import annotations

import base64
import hashlib
from typing import Any

import pytest

from tests.services.world import (
    CODE,
    ROLE,
    Vpc,
    build_vpc,
    launch,
    make_function,
    open_group,
    trace,
)
from tests.support import aws_error
from vpclab.control.store import Store
from vpclab.dataplane.flow import PortSet
from vpclab.model.state import Clock
from vpclab.network import trace_view


@pytest.fixture
def lam(make_client: Any) -> Any:
    """A boto3 Lambda client answered in-process."""
    return make_client("lambda")


def lambda_enis(ec2: Any) -> list[dict[str, Any]]:
    """Every Lambda Hyperplane ENI of the account."""
    enis = ec2.describe_network_interfaces()["NetworkInterfaces"]
    return [e for e in enis if e["InterfaceType"] == "lambda"]


def group(ec2: Any, net: Vpc, name: str) -> str:
    """An egress-only (default rules) security group."""
    made = ec2.create_security_group(GroupName=name, Description=name, VpcId=net.vpc)
    return str(made["GroupId"])


def test_lam_1_create_get_and_code_hash(ec2: Any, lam: Any, clock: Clock) -> None:
    """Create returns Pending with the code's hash; Get shows Active and the VPC config."""
    net = build_vpc(ec2)
    sg = group(ec2, net, "fn")
    clock.settle_seconds = 5.0
    made = make_function(lam, "fn1", net.private, [sg])
    assert made["State"] == "Pending"
    assert made["CodeSha256"] == base64.b64encode(hashlib.sha256(CODE).digest()).decode()
    assert made["CodeSize"] == len(CODE)
    assert made["FunctionArn"] == "arn:aws:lambda:us-east-1:123456789012:function:fn1"
    clock.advance(6.0)
    got = lam.get_function(FunctionName="fn1")
    config = got["Configuration"]
    assert config["State"] == "Active"
    assert config["LastUpdateStatus"] == "Successful"
    assert config["VpcConfig"]["VpcId"] == net.vpc
    assert sorted(config["VpcConfig"]["SubnetIds"]) == sorted(net.private)
    assert lam.get_function_configuration(FunctionName="fn1")["Handler"] == "app.handler"


def test_lam_1_enis_shared_per_subnet_and_group_set(ec2: Any, lam: Any) -> None:
    """Functions with the same (subnet, groups) share one ENI; a new combination adds one;
    the ENIs go when no function uses them."""
    net = build_vpc(ec2)
    first, second = group(ec2, net, "a"), group(ec2, net, "b")
    make_function(lam, "one", net.private, [first])
    make_function(lam, "two", net.private, [first])
    enis = lambda_enis(ec2)
    assert len(enis) == 2
    assert {e["SubnetId"] for e in enis} == set(net.private)
    for eni in enis:
        assert eni["RequesterManaged"] is True
        assert [g["GroupId"] for g in eni["Groups"]] == [first]
    make_function(lam, "three", net.private[:1], [first, second])
    assert len(lambda_enis(ec2)) == 3
    lam.delete_function(FunctionName="three")
    lam.delete_function(FunctionName="one")
    assert len(lambda_enis(ec2)) == 2
    lam.delete_function(FunctionName="two")
    assert lambda_enis(ec2) == []


def test_lam_3_no_public_address_even_in_public_subnet(ec2: Any, lam: Any) -> None:
    """A function's ENI in a subnet that maps public IPs still has none."""
    net = build_vpc(ec2)
    ec2.modify_subnet_attribute(SubnetId=net.public[0], MapPublicIpOnLaunch={"Value": True})
    make_function(lam, "pub", net.public[:1], [group(ec2, net, "fn")])
    (eni,) = lambda_enis(ec2)
    assert "Association" not in eni


def test_lam_3_public_subnet_cannot_reach_internet_private_with_nat_can(
    ec2: Any, lam: Any, store: Store
) -> None:
    """Public subnet: no way out; private subnet routed to a NAT gateway: out it goes."""
    net = build_vpc(ec2)
    sg = group(ec2, net, "fn")
    make_function(lam, "pub", net.public[:1], [sg])
    (public_eni,) = lambda_enis(ec2)
    assert not trace(store, public_eni["NetworkInterfaceId"], "8.8.8.8", 443).reachable
    lam.delete_function(FunctionName="pub")
    make_function(lam, "priv", net.private[:1], [sg])
    (private_eni,) = lambda_enis(ec2)
    eni_id = private_eni["NetworkInterfaceId"]
    assert not trace(store, eni_id, "8.8.8.8", 443).reachable
    allocation = ec2.allocate_address(Domain="vpc")["AllocationId"]
    nat = ec2.create_nat_gateway(SubnetId=net.public[0], AllocationId=allocation)
    nat_id = nat["NatGateway"]["NatGatewayId"]
    table = ec2.create_route_table(VpcId=net.vpc)["RouteTable"]["RouteTableId"]
    ec2.create_route(RouteTableId=table, DestinationCidrBlock="0.0.0.0/0", NatGatewayId=nat_id)
    ec2.associate_route_table(RouteTableId=table, SubnetId=net.private[0])
    assert trace(store, eni_id, "8.8.8.8", 443).reachable


def test_lam_2_nothing_in_the_vpc_can_open_a_connection_to_the_function(
    ec2: Any, lam: Any, store: Store
) -> None:
    """PKT-10: even with its group open, an instance cannot connect to the Lambda ENI; the
    function can connect to the instance."""
    net = build_vpc(ec2)
    open_sg = open_group(ec2, net.vpc, 8080, name="open")
    make_function(lam, "fn", net.private[:1], [open_sg])
    (eni,) = lambda_enis(ec2)
    instance = launch(ec2, net.private[1], open_sg)
    assert not trace(store, instance, eni["NetworkInterfaceId"], 8080).reachable
    assert trace(store, eni["NetworkInterfaceId"], instance, 8080).reachable


def test_lam_4_a_function_sends_tcp_and_udp_only_from_ports_1024_and_up(
    ec2: Any, lam: Any, store: Store
) -> None:
    """PKT-10 / LAM-4: with every group and NACL open, a ping from the Lambda ENI goes nowhere
    (PROTOCOL_RESTRICTION), nor TCP from source port 80; TCP and UDP from its own ports get
    through, and the trace says which source ports those are."""
    net = build_vpc(ec2)
    everything = ec2.create_security_group(GroupName="all", Description="all", VpcId=net.vpc)
    ec2.authorize_security_group_ingress(
        GroupId=everything["GroupId"], IpProtocol="-1", CidrIp="0.0.0.0/0"
    )
    make_function(lam, "fn", net.private[:1], [everything["GroupId"]])
    (eni,) = lambda_enis(ec2)
    instance = launch(ec2, net.private[1], everything["GroupId"])
    view = store.view("123456789012", "us-east-1")
    source = eni["NetworkInterfaceId"]

    ping = trace_view(view, source, instance, protocol="icmp")
    assert not ping.reachable
    assert [e.code for e in ping.explanations] == ["PROTOCOL_RESTRICTION"]
    assert "LAM-4" in ping.explanations[0].message
    low_port = trace_view(view, source, instance, port=443, source_port=80)
    assert not low_port.reachable
    assert [e.code for e in low_port.explanations] == ["NO_PATH"]
    assert trace_view(view, source, instance, port=443, source_port=40000).reachable
    assert trace_view(view, source, instance, protocol="udp", port=53).reachable
    opened = trace_view(view, source, instance, port=443)
    assert opened.reachable and opened.arrived is not None
    assert opened.arrived.source_ports == PortSet.of(1024, 65535)


def test_sub_14_subnet_with_lambda_eni_cannot_be_deleted(ec2: Any, lam: Any) -> None:
    """SUB-14 / SG-20: the function's ENI blocks deleting its subnet and group until it goes."""
    net = build_vpc(ec2)
    sg = group(ec2, net, "fn")
    make_function(lam, "fn", net.private[:1], [sg])
    code, message = aws_error(ec2.delete_subnet, SubnetId=net.private[0])
    assert code == "DependencyViolation"
    assert message == f"The subnet '{net.private[0]}' has dependencies and cannot be deleted."
    code, _ = aws_error(ec2.delete_security_group, GroupId=sg)
    assert code == "DependencyViolation"
    (eni,) = lambda_enis(ec2)
    code, _ = aws_error(ec2.delete_network_interface, NetworkInterfaceId=eni["NetworkInterfaceId"])
    assert code == "OperationNotPermitted"  # ENI-8: requester-managed
    lam.delete_function(FunctionName="fn")
    ec2.delete_subnet(SubnetId=net.private[0])
    ec2.delete_security_group(GroupId=sg)


def test_lam_4_validations(ec2: Any, lam: Any) -> None:
    """Existing name, unknown function, bad role, missing runtime, foreign or unknown ids,
    dedicated tenancy: Lambda's exceptions."""
    net = build_vpc(ec2)
    sg = group(ec2, net, "fn")
    make_function(lam, "fn", net.private, [sg])
    code, message = aws_error(make_function, lam, "fn", net.private, [sg])
    assert (code, message) == ("ResourceConflictException", "Function already exist: fn")
    code, message = aws_error(lam.get_function, FunctionName="ghost")
    assert code == "ResourceNotFoundException"
    assert message == "Function not found: arn:aws:lambda:us-east-1:123456789012:function:ghost"
    code, _ = aws_error(
        lam.create_function,
        FunctionName="badrole",
        Runtime="python3.12",
        Role="arn:aws:iam::123:user/x",
        Handler="h",
        Code={"ZipFile": CODE},
    )
    assert code == "ValidationException"
    code, message = aws_error(
        lam.create_function, FunctionName="noruntime", Role=ROLE, Code={"ZipFile": CODE}
    )
    assert code == "InvalidParameterValueException"
    assert "Runtime and Handler are mandatory" in message
    code, message = aws_error(make_function, lam, "x", ["subnet-0123456789abcdef0"], [sg])
    assert code == "InvalidParameterValueException"
    assert "InvalidSubnetID.NotFound" in message
    other = ec2.create_vpc(CidrBlock="10.1.0.0/16")["Vpc"]["VpcId"]
    foreign = ec2.create_security_group(GroupName="f", Description="f", VpcId=other)["GroupId"]
    code, _ = aws_error(make_function, lam, "x", net.private, [foreign])
    assert code == "InvalidParameterValueException"
    dedicated = ec2.create_vpc(CidrBlock="10.2.0.0/16", InstanceTenancy="dedicated")["Vpc"]
    subnet = ec2.create_subnet(VpcId=dedicated["VpcId"], CidrBlock="10.2.0.0/24")["Subnet"]
    dsg = ec2.create_security_group(GroupName="d", Description="d", VpcId=dedicated["VpcId"])[
        "GroupId"
    ]
    code, message = aws_error(make_function, lam, "x", [subnet["SubnetId"]], [dsg])
    assert code == "InvalidParameterValueException"
    assert "dedicated" in message
    assert [f["FunctionName"] for f in lam.list_functions()["Functions"]] == ["fn"]


def test_lam_1_update_vpc_config_moves_enis_and_list_paginates(ec2: Any, lam: Any) -> None:
    """Moving a function to other subnets moves its ENIs; ListFunctions pages by MaxItems."""
    net = build_vpc(ec2)
    sg = group(ec2, net, "fn")
    make_function(lam, "a", net.private[:1], [sg])
    lam.update_function_configuration(
        FunctionName="a", VpcConfig={"SubnetIds": net.public[:1], "SecurityGroupIds": [sg]}
    )
    assert [e["SubnetId"] for e in lambda_enis(ec2)] == net.public[:1]
    for name in ("b", "c"):
        make_function(lam, name, net.public[:1], [sg])
    first = lam.list_functions(MaxItems=2)
    assert [f["FunctionName"] for f in first["Functions"]] == ["a", "b"]
    rest = lam.list_functions(MaxItems=2, Marker=first["NextMarker"])
    assert [f["FunctionName"] for f in rest["Functions"]] == ["c"]
    assert "NextMarker" not in rest

"""Spec section 3 (RT-1..RT-23) and AMB-7..9, AMB-17, AMB-23, AMB-24 through boto3."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import pytest

from tests.support import IDEMPOTENCY_MISMATCH, aws_error, client
from vpclab.api.context import Settings
from vpclab.api.dispatch import Api, HttpResponse
from vpclab.control.route_tables import create_route_table
from vpclab.control.store import Store
from vpclab.model.base import evolve
from vpclab.model.gateways import NatGateway
from vpclab.model.ids import new_id
from vpclab.model.interface import EniAttachment, Instance, NetworkInterface, PrivateIp
from vpclab.model.peering import PeeringSide, VpcPeeringConnection
from vpclab.model.route_state import is_public_subnet, subnet_route_table
from vpclab.model.route_table import Route, RouteTable, RouteTarget
from vpclab.model.state import Clock

ACCOUNT, REGION = "123456789012", "us-east-1"


# -- helpers -----------------------------------------------------------------------------------
def put(store: Store, *objs: Any) -> None:
    """Place resources of families without an API yet straight into the caller's partition."""
    with store.transaction(ACCOUNT, REGION) as tx:
        for obj in objs:
            tx.put(obj)


def remove(store: Store, obj: Any) -> None:
    """Delete a resource placed with `put` (a target disappearing)."""
    with store.transaction(ACCOUNT, REGION) as tx:
        tx.delete(type(obj), obj.id)


def new_vpc(ec2: Any, cidr: str = "10.0.0.0/16", **extra: Any) -> str:
    """A fresh VPC's id."""
    vpc_id: str = ec2.create_vpc(CidrBlock=cidr, **extra)["Vpc"]["VpcId"]
    return vpc_id


def new_subnet(ec2: Any, vpc_id: str, cidr: str = "10.0.1.0/24") -> str:
    """A fresh subnet's id."""
    subnet_id: str = ec2.create_subnet(VpcId=vpc_id, CidrBlock=cidr)["Subnet"]["SubnetId"]
    return subnet_id


def new_table(ec2: Any, vpc_id: str) -> str:
    """A fresh custom route table's id."""
    rtb_id: str = ec2.create_route_table(VpcId=vpc_id)["RouteTable"]["RouteTableId"]
    return rtb_id


def attached_igw(ec2: Any, vpc_id: str) -> str:
    """A new internet gateway attached to the VPC."""
    igw_id: str = ec2.create_internet_gateway()["InternetGateway"]["InternetGatewayId"]
    ec2.attach_internet_gateway(InternetGatewayId=igw_id, VpcId=vpc_id)
    return igw_id


def table(ec2: Any, rtb_id: str) -> dict[str, Any]:
    """The route table as DescribeRouteTables shows it now."""
    found: dict[str, Any] = ec2.describe_route_tables(RouteTableIds=[rtb_id])["RouteTables"][0]
    return found


def route(ec2: Any, rtb_id: str, destination: str) -> dict[str, Any]:
    """The route of a table for one destination."""
    for r in table(ec2, rtb_id)["Routes"]:
        if destination in (r.get("DestinationCidrBlock"), r.get("DestinationIpv6CidrBlock")):
            return dict(r)
    raise AssertionError(f"no route for {destination} in {rtb_id}")


def main_table(ec2: Any, vpc_id: str) -> dict[str, Any]:
    """The VPC's main route table."""
    found: dict[str, Any] = ec2.describe_route_tables(
        Filters=[
            {"Name": "vpc-id", "Values": [vpc_id]},
            {"Name": "association.main", "Values": ["true"]},
        ]
    )["RouteTables"][0]
    return found


def eni(
    store: Store, vpc_id: str, subnet_id: str, instance_id: str | None = None
) -> NetworkInterface:
    """An ENI placed in a subnet (optionally attached to an instance)."""
    attachment = None
    if instance_id is not None:
        attachment = EniAttachment(id=new_id("eni-attach"), instance_id=instance_id, device_index=0)
    made = NetworkInterface(
        id=new_id("eni"),
        subnet_id=subnet_id,
        vpc_id=vpc_id,
        availability_zone="us-east-1a",
        private_ips=(PrivateIp(address="10.0.1.10", primary=True),),
        attachment=attachment,
    )
    put(store, made)
    return made


def instance(store: Store, vpc_id: str, subnet_id: str, enis: int = 1) -> Instance:
    """A running instance with `enis` attached interfaces."""
    instance_id = new_id("i")
    attached = [eni(store, vpc_id, subnet_id, instance_id) for _ in range(enis)]
    made = Instance(
        id=instance_id,
        image_id="ami-12345678",
        instance_type="t3.micro",
        subnet_id=subnet_id,
        vpc_id=vpc_id,
        availability_zone="us-east-1a",
        primary_eni_id=attached[0].id,
        state="running",
    )
    put(store, made)
    return made


def nat_gateway(store: Store, vpc_id: str, subnet_id: str, clock: Clock) -> NatGateway:
    """A public NAT gateway created now (pending until the clock settles it)."""
    made = NatGateway(id=new_id("nat"), subnet_id=subnet_id, vpc_id=vpc_id, created_at=clock.now())
    put(store, made)
    return made


def peering(store: Store, vpc_a: str, vpc_b: str, status: str) -> VpcPeeringConnection:
    """A same-account peering between two VPCs in the given status."""
    made = VpcPeeringConnection(
        id=new_id("pcx"),
        requester=PeeringSide(owner_id=ACCOUNT, region=REGION, vpc_id=vpc_a),
        accepter=PeeringSide(owner_id=ACCOUNT, region=REGION, vpc_id=vpc_b),
        status=status,
        expiration_time=1e12,  # far from expiring (PCX-2)
    )
    put(store, made)
    return made


class CurrentApi:
    """Forwards to the running test's Api, so one boto3 client (slow to build) serves a module."""

    def __init__(self) -> None:
        self.api: Api | None = None

    def handle(self, body: bytes, headers: Mapping[str, str]) -> HttpResponse:
        """Answer with the current test's Api."""
        assert self.api is not None
        return self.api.handle(body, headers)


@pytest.fixture(scope="module")
def shared_client() -> tuple[CurrentApi, Any]:
    """One boto3 EC2 client for the module, answered by whichever Api the test uses."""
    current = CurrentApi()
    return current, client(current)  # type: ignore[arg-type]


@pytest.fixture
def ec2(api: Api, shared_client: tuple[CurrentApi, Any]) -> Any:
    """The conftest `ec2` client, but reused across the module's tests (each has a fresh state)."""
    current, shared = shared_client
    current.api = api
    return shared


@pytest.fixture
def vpc(ec2: Any) -> str:
    """A non-default VPC 10.0.0.0/16."""
    return new_vpc(ec2)


@pytest.fixture
def rtb(ec2: Any, vpc: str) -> str:
    """A custom route table of `vpc`."""
    return new_table(ec2, vpc)


# -- tables and local routes ---------------------------------------------------------------------
def test_rt_1_new_table_holds_only_the_local_routes(ec2: Any) -> None:
    """Every table starts with one local route per VPC block, IPv6 included."""
    vpc_id = new_vpc(ec2, AmazonProvidedIpv6CidrBlock=True)
    created = ec2.create_route_table(VpcId=vpc_id)["RouteTable"]
    ipv6 = ec2.describe_vpcs(VpcIds=[vpc_id])["Vpcs"][0]["Ipv6CidrBlockAssociationSet"][0]
    assert created["VpcId"] == vpc_id
    assert created["Associations"] == []
    assert created["Routes"] == [
        {
            "DestinationCidrBlock": "10.0.0.0/16",
            "GatewayId": "local",
            "Origin": "CreateRouteTable",
            "State": "active",
        },
        {
            "DestinationIpv6CidrBlock": ipv6["Ipv6CidrBlock"],
            "GatewayId": "local",
            "Origin": "CreateRouteTable",
            "State": "active",
        },
    ]


def test_rt_1_secondary_cidr_adds_a_local_route_to_every_table(
    ec2: Any, vpc: str, rtb: str
) -> None:
    """A block associated later gets its local route in custom and main tables alike (VPC-10)."""
    ec2.associate_vpc_cidr_block(VpcId=vpc, CidrBlock="10.1.0.0/16")
    assert route(ec2, rtb, "10.1.0.0/16")["GatewayId"] == "local"
    assert any(r["DestinationCidrBlock"] == "10.1.0.0/16" for r in main_table(ec2, vpc)["Routes"])


def test_rt_2_local_route_cannot_be_deleted(ec2: Any, rtb: str) -> None:
    """DeleteRoute on the local route fails with AMB-8's message."""
    code, message = aws_error(
        ec2.delete_route, RouteTableId=rtb, DestinationCidrBlock="10.0.0.0/16"
    )
    assert code == "InvalidParameterValue"
    assert message == f"cannot remove local route 10.0.0.0/16 in route table {rtb}"


def test_rt_2_route_to_the_local_destination_already_exists(ec2: Any, vpc: str, rtb: str) -> None:
    """A second route for the local destination is RouteAlreadyExists (OBS-11)."""
    igw = attached_igw(ec2, vpc)
    code, message = aws_error(
        ec2.create_route, RouteTableId=rtb, DestinationCidrBlock="10.0.0.0/16", GatewayId=igw
    )
    assert (code, message) == (
        "RouteAlreadyExists",
        "The route identified by 10.0.0.0/16 already exists.",
    )


def test_amb_8_local_route_target_replaced_by_eni_then_restored(
    ec2: Any, store: Store, vpc: str, rtb: str
) -> None:
    """ReplaceRoute may point the local route at an ENI and LocalTarget restores it."""
    subnet = new_subnet(ec2, vpc)
    appliance = eni(store, vpc, subnet)
    ec2.replace_route(
        RouteTableId=rtb, DestinationCidrBlock="10.0.0.0/16", NetworkInterfaceId=appliance.id
    )
    replaced = route(ec2, rtb, "10.0.0.0/16")
    assert replaced["NetworkInterfaceId"] == appliance.id
    assert "GatewayId" not in replaced
    assert replaced["Origin"] == "CreateRouteTable"
    code, _ = aws_error(ec2.delete_route, RouteTableId=rtb, DestinationCidrBlock="10.0.0.0/16")
    assert code == "InvalidParameterValue"
    ec2.replace_route(RouteTableId=rtb, DestinationCidrBlock="10.0.0.0/16", LocalTarget=True)
    assert route(ec2, rtb, "10.0.0.0/16")["GatewayId"] == "local"


def test_amb_8_local_route_cannot_point_at_an_internet_gateway(
    ec2: Any, vpc: str, rtb: str
) -> None:
    """Only ENI, NAT gateway, GWLB endpoint or LocalTarget can replace the local target."""
    igw = attached_igw(ec2, vpc)
    code, _ = aws_error(
        ec2.replace_route, RouteTableId=rtb, DestinationCidrBlock="10.0.0.0/16", GatewayId=igw
    )
    assert code == "InvalidParameterValue"
    assert route(ec2, rtb, "10.0.0.0/16")["GatewayId"] == "local"


def test_amb_8_local_target_only_restores_local_routes(ec2: Any, vpc: str, rtb: str) -> None:
    """LocalTarget on an ordinary route is refused."""
    igw = attached_igw(ec2, vpc)
    ec2.create_route(RouteTableId=rtb, DestinationCidrBlock="0.0.0.0/0", GatewayId=igw)
    code, _ = aws_error(
        ec2.replace_route, RouteTableId=rtb, DestinationCidrBlock="0.0.0.0/0", LocalTarget=True
    )
    assert code == "InvalidParameterValue"


def test_rt_3_more_specific_route_only_for_a_whole_subnet_to_eni_or_nat(
    ec2: Any, store: Store, clock: Clock, vpc: str, rtb: str
) -> None:
    """Inside the VPC block: a whole subnet CIDR to an ENI or NAT gateway, nothing else."""
    subnet = new_subnet(ec2, vpc, "10.0.1.0/24")
    other = new_subnet(ec2, vpc, "10.0.2.0/24")
    igw = attached_igw(ec2, vpc)
    appliance = eni(store, vpc, subnet)
    nat = nat_gateway(store, vpc, subnet, clock)
    for kwargs in (
        {"DestinationCidrBlock": "10.0.1.0/24", "GatewayId": igw},
        {"DestinationCidrBlock": "10.0.1.0/25", "NetworkInterfaceId": appliance.id},
        {"DestinationCidrBlock": "10.0.9.0/24", "NetworkInterfaceId": appliance.id},
    ):
        code, _ = aws_error(ec2.create_route, RouteTableId=rtb, **kwargs)
        assert code == "InvalidParameterValue", kwargs
    ec2.create_route(
        RouteTableId=rtb, DestinationCidrBlock="10.0.1.0/24", NetworkInterfaceId=appliance.id
    )
    ec2.create_route(RouteTableId=rtb, DestinationCidrBlock="10.0.2.0/24", NatGatewayId=nat.id)
    ec2.create_route(RouteTableId=rtb, DestinationCidrBlock="10.0.0.0/8", GatewayId=igw)
    assert other
    assert len(table(ec2, rtb)["Routes"]) == 4


def test_rt_7_reserved_destination_refused_but_a_wider_one_accepted(
    ec2: Any, vpc: str, rtb: str
) -> None:
    """169.254.168.0/22 and anything inside it cannot be a destination; a covering block can."""
    igw = attached_igw(ec2, vpc)
    for cidr in ("169.254.168.0/22", "169.254.169.0/24"):
        code, _ = aws_error(
            ec2.create_route, RouteTableId=rtb, DestinationCidrBlock=cidr, GatewayId=igw
        )
        assert code == "InvalidParameterValue"
    ec2.create_route(RouteTableId=rtb, DestinationCidrBlock="169.254.0.0/16", GatewayId=igw)


def test_rt_8_second_route_for_a_destination_already_exists(ec2: Any, vpc: str, rtb: str) -> None:
    """One route per destination; host bits are cleared before comparing (VPC-3)."""
    igw = attached_igw(ec2, vpc)
    ec2.create_route(RouteTableId=rtb, DestinationCidrBlock="192.168.7.9/16", GatewayId=igw)
    assert route(ec2, rtb, "192.168.0.0/16")["GatewayId"] == igw
    code, message = aws_error(
        ec2.create_route, RouteTableId=rtb, DestinationCidrBlock="192.168.0.0/16", GatewayId=igw
    )
    assert (code, message) == (
        "RouteAlreadyExists",
        "The route identified by 192.168.0.0/16 already exists.",
    )


def test_rt_8_delete_of_a_missing_route_is_invalid_route_not_found(ec2: Any, rtb: str) -> None:
    """DeleteRoute needs an existing destination."""
    code, _ = aws_error(ec2.delete_route, RouteTableId=rtb, DestinationCidrBlock="0.0.0.0/0")
    assert code == "InvalidRoute.NotFound"


def test_rt_8_replace_of_a_missing_route_is_invalid_parameter_value(
    ec2: Any, vpc: str, rtb: str
) -> None:
    """ReplaceRoute of a missing route: InvalidParameterValue with the observed message."""
    igw = attached_igw(ec2, vpc)
    code, message = aws_error(
        ec2.replace_route, RouteTableId=rtb, DestinationCidrBlock="0.0.0.0/0", GatewayId=igw
    )
    assert code == "InvalidParameterValue"
    assert message == (
        "There is no route defined for '0.0.0.0/0' in the route table. Use CreateRoute instead."
    )


def test_rt_8_replace_then_delete_a_route(ec2: Any, store: Store, vpc: str, rtb: str) -> None:
    """ReplaceRoute changes the target in place; DeleteRoute removes the route."""
    igw = attached_igw(ec2, vpc)
    appliance = eni(store, vpc, new_subnet(ec2, vpc))
    ec2.create_route(RouteTableId=rtb, DestinationCidrBlock="0.0.0.0/0", GatewayId=igw)
    ec2.replace_route(
        RouteTableId=rtb, DestinationCidrBlock="0.0.0.0/0", NetworkInterfaceId=appliance.id
    )
    replaced = route(ec2, rtb, "0.0.0.0/0")
    assert replaced["NetworkInterfaceId"] == appliance.id and "GatewayId" not in replaced
    ec2.delete_route(RouteTableId=rtb, DestinationCidrBlock="0.0.0.0/0")
    assert [r["GatewayId"] for r in table(ec2, rtb)["Routes"]] == ["local"]


def test_rt_9_exactly_one_destination_and_one_target(
    ec2: Any, store: Store, vpc: str, rtb: str
) -> None:
    """No destination or no target: MissingParameter; two of either: InvalidParameterCombination."""
    igw = attached_igw(ec2, vpc)
    appliance = eni(store, vpc, new_subnet(ec2, vpc))
    assert aws_error(ec2.create_route, RouteTableId=rtb, GatewayId=igw)[0] == "MissingParameter"
    assert aws_error(ec2.create_route, RouteTableId=rtb, DestinationCidrBlock="0.0.0.0/0")[0] == (
        "MissingParameter"
    )
    code, _ = aws_error(
        ec2.create_route,
        RouteTableId=rtb,
        DestinationCidrBlock="0.0.0.0/0",
        GatewayId=igw,
        NetworkInterfaceId=appliance.id,
    )
    assert code == "InvalidParameterCombination"
    code, _ = aws_error(
        ec2.create_route,
        RouteTableId=rtb,
        DestinationCidrBlock="0.0.0.0/0",
        DestinationIpv6CidrBlock="::/0",
        GatewayId=igw,
    )
    assert code == "InvalidParameterCombination"
    code, _ = aws_error(
        ec2.create_route, RouteTableId=rtb, DestinationCidrBlock="0.0.0/0", GatewayId=igw
    )
    assert code == "InvalidParameterValue"


def test_rt_10_internet_gateway_must_be_attached_to_the_tables_vpc(ec2: Any, rtb: str) -> None:
    """An IGW of another VPC (or none) belongs to a different network (OBS-9)."""
    elsewhere = attached_igw(ec2, new_vpc(ec2, "10.9.0.0/16"))
    loose = ec2.create_internet_gateway()["InternetGateway"]["InternetGatewayId"]
    for igw in (elsewhere, loose):
        code, message = aws_error(
            ec2.create_route, RouteTableId=rtb, DestinationCidrBlock="0.0.0.0/0", GatewayId=igw
        )
        assert code == "InvalidParameterValue"
        assert (
            message == f"route table {rtb} and network gateway {igw} belong to different networks"
        )


def test_rt_10_unknown_gateway_id_is_invalid_gateway_id_not_found(
    ec2: Any, store: Store, clock: Clock, vpc: str, rtb: str
) -> None:
    """A NAT gateway id passed as GatewayId does not name a gateway (OBS-17)."""
    nat = nat_gateway(store, vpc, new_subnet(ec2, vpc), clock)
    for gateway_id in (nat.id, "igw-0123456789abcdef0", "vgw-0123456789abcdef0"):
        code, message = aws_error(
            ec2.create_route,
            RouteTableId=rtb,
            DestinationCidrBlock="0.0.0.0/0",
            GatewayId=gateway_id,
        )
        assert (code, message) == (
            "InvalidGatewayID.NotFound",
            f"The gateway ID '{gateway_id}' does not exist",
        )


def test_rt_10_instance_target_needs_exactly_one_interface(
    ec2: Any, store: Store, vpc: str, rtb: str
) -> None:
    """An instance with two ENIs cannot be a target: name the ENI instead."""
    subnet = new_subnet(ec2, vpc)
    multi = instance(store, vpc, subnet, enis=2)
    code, _ = aws_error(
        ec2.create_route, RouteTableId=rtb, DestinationCidrBlock="0.0.0.0/0", InstanceId=multi.id
    )
    assert code == "InvalidInstanceID"
    code, _ = aws_error(
        ec2.create_route,
        RouteTableId=rtb,
        DestinationCidrBlock="0.0.0.0/0",
        InstanceId="i-0123456789abcdef0",
    )
    assert code == "InvalidInstanceID.NotFound"


def test_rt_11_instance_route_shows_instance_owner_and_interface(
    ec2: Any, store: Store, vpc: str, rtb: str
) -> None:
    """A route to an instance resolves to its single ENI and reports both ids."""
    nat_instance = instance(store, vpc, new_subnet(ec2, vpc))
    ec2.create_route(RouteTableId=rtb, DestinationCidrBlock="0.0.0.0/0", InstanceId=nat_instance.id)
    shown = route(ec2, rtb, "0.0.0.0/0")
    assert shown["InstanceId"] == nat_instance.id
    assert shown["InstanceOwnerId"] == ACCOUNT
    assert shown["NetworkInterfaceId"] == nat_instance.primary_eni_id
    assert shown["State"] == "active"


def test_rt_11_targets_appear_in_their_own_fields(
    ec2: Any, store: Store, clock: Clock, vpc: str, rtb: str
) -> None:
    """IGW in GatewayId, NAT in NatGatewayId, ENI, peering and EIGW in their fields; Origin CreateRoute."""
    igw = attached_igw(ec2, vpc)
    subnet = new_subnet(ec2, vpc)
    nat = nat_gateway(store, vpc, subnet, clock)
    appliance = eni(store, vpc, subnet)
    pcx = peering(store, vpc, new_vpc(ec2, "10.50.0.0/16"), "active")
    cases = {
        "0.0.0.0/0": ("GatewayId", igw),
        "192.168.0.0/16": ("NatGatewayId", nat.id),
        "172.16.0.0/16": ("NetworkInterfaceId", appliance.id),
        "10.50.0.0/16": ("VpcPeeringConnectionId", pcx.id),
    }
    for destination, (member, target) in cases.items():
        ec2.create_route(RouteTableId=rtb, DestinationCidrBlock=destination, **{member: target})
        shown = route(ec2, rtb, destination)
        assert shown[member] == target
        assert shown["Origin"] == "CreateRoute"


def test_rt_10_egress_only_gateway_takes_ipv6_destinations_only(ec2: Any) -> None:
    """An egress-only IGW route must be IPv6; the route shows EgressOnlyInternetGatewayId."""
    vpc_id = new_vpc(ec2, AmazonProvidedIpv6CidrBlock=True)
    rtb_id = new_table(ec2, vpc_id)
    eigw = ec2.create_egress_only_internet_gateway(VpcId=vpc_id)["EgressOnlyInternetGateway"]
    eigw_id = eigw["EgressOnlyInternetGatewayId"]
    code, _ = aws_error(
        ec2.create_route,
        RouteTableId=rtb_id,
        DestinationCidrBlock="0.0.0.0/0",
        EgressOnlyInternetGatewayId=eigw_id,
    )
    assert code == "InvalidParameterValue"
    ec2.create_route(
        RouteTableId=rtb_id, DestinationIpv6CidrBlock="::/0", EgressOnlyInternetGatewayId=eigw_id
    )
    assert route(ec2, rtb_id, "::/0")["EgressOnlyInternetGatewayId"] == eigw_id


def test_rt_10_nat64_route_accepted_and_amb_32_other_ipv6_refused(
    ec2: Any, store: Store, clock: Clock
) -> None:
    """64:ff9b::/96 may go to a NAT gateway; ::/0 may not."""
    vpc_id = new_vpc(ec2, AmazonProvidedIpv6CidrBlock=True)
    rtb_id = new_table(ec2, vpc_id)
    nat = nat_gateway(store, vpc_id, new_subnet(ec2, vpc_id), clock)
    ec2.create_route(
        RouteTableId=rtb_id, DestinationIpv6CidrBlock="64:ff9b::/96", NatGatewayId=nat.id
    )
    code, _ = aws_error(
        ec2.create_route, RouteTableId=rtb_id, DestinationIpv6CidrBlock="::/0", NatGatewayId=nat.id
    )
    assert code == "InvalidParameterValue"


def test_amb_23_nat_gateway_of_another_vpc_refused(
    ec2: Any, store: Store, clock: Clock, rtb: str
) -> None:
    """A NAT gateway target must sit in the table's VPC."""
    other_vpc = new_vpc(ec2, "10.9.0.0/16")
    nat = nat_gateway(store, other_vpc, new_subnet(ec2, other_vpc, "10.9.1.0/24"), clock)
    code, message = aws_error(
        ec2.create_route, RouteTableId=rtb, DestinationCidrBlock="0.0.0.0/0", NatGatewayId=nat.id
    )
    assert code == "InvalidParameterValue"
    assert message == f"route table {rtb} and NAT gateway {nat.id} belong to different networks"


def test_amb_23_route_to_pending_nat_is_blackhole_until_available(
    ec2: Any, store: Store, clock: Clock, vpc: str, rtb: str
) -> None:
    """A pending NAT gateway is accepted; its route turns active once the gateway settles."""
    clock.settle_seconds = 30.0
    nat = nat_gateway(store, vpc, new_subnet(ec2, vpc), clock)
    ec2.create_route(RouteTableId=rtb, DestinationCidrBlock="0.0.0.0/0", NatGatewayId=nat.id)
    assert route(ec2, rtb, "0.0.0.0/0")["State"] == "blackhole"
    clock.advance(31)
    assert route(ec2, rtb, "0.0.0.0/0")["State"] == "active"


def test_rt_10_route_to_pending_peering_is_blackhole_until_active(
    ec2: Any, store: Store, vpc: str, rtb: str
) -> None:
    """A pending-acceptance peering is a valid target; the route works once it is active."""
    pcx = peering(store, vpc, new_vpc(ec2, "10.50.0.0/16"), "pending-acceptance")
    ec2.create_route(
        RouteTableId=rtb, DestinationCidrBlock="10.50.0.0/16", VpcPeeringConnectionId=pcx.id
    )
    assert route(ec2, rtb, "10.50.0.0/16")["State"] == "blackhole"
    put(store, evolve(pcx, status="active"))
    assert route(ec2, rtb, "10.50.0.0/16")["State"] == "active"
    put(store, evolve(pcx, status="deleted"))
    assert route(ec2, rtb, "10.50.0.0/16")["State"] == "blackhole"


def test_rt_10_peering_of_other_vpcs_refused(ec2: Any, store: Store, rtb: str) -> None:
    """The table's VPC must be one side of the peering."""
    pcx = peering(store, new_vpc(ec2, "10.50.0.0/16"), new_vpc(ec2, "10.60.0.0/16"), "active")
    code, _ = aws_error(
        ec2.create_route,
        RouteTableId=rtb,
        DestinationCidrBlock="10.50.0.0/16",
        VpcPeeringConnectionId=pcx.id,
    )
    assert code == "InvalidParameterValue"


# -- derived route state -----------------------------------------------------------------------
def test_rt_12_route_turns_blackhole_when_igw_detached_and_active_when_reattached(
    ec2: Any, vpc: str, rtb: str
) -> None:
    """Detaching keeps the route as blackhole; attaching the same IGW makes it active again."""
    igw = attached_igw(ec2, vpc)
    ec2.create_route(RouteTableId=rtb, DestinationCidrBlock="0.0.0.0/0", GatewayId=igw)
    assert route(ec2, rtb, "0.0.0.0/0")["State"] == "active"
    ec2.detach_internet_gateway(InternetGatewayId=igw, VpcId=vpc)
    assert route(ec2, rtb, "0.0.0.0/0")["State"] == "blackhole"
    ec2.attach_internet_gateway(InternetGatewayId=igw, VpcId=vpc)
    assert route(ec2, rtb, "0.0.0.0/0")["State"] == "active"
    ec2.detach_internet_gateway(InternetGatewayId=igw, VpcId=vpc)
    ec2.delete_internet_gateway(InternetGatewayId=igw)
    assert route(ec2, rtb, "0.0.0.0/0") == {
        "DestinationCidrBlock": "0.0.0.0/0",
        "GatewayId": igw,
        "Origin": "CreateRoute",
        "State": "blackhole",
    }


def test_igw_11_route_to_igw_attached_to_another_vpc_is_blackhole(
    ec2: Any, vpc: str, rtb: str
) -> None:
    """After the IGW moves to another VPC the old route is blackhole."""
    igw = attached_igw(ec2, vpc)
    ec2.create_route(RouteTableId=rtb, DestinationCidrBlock="0.0.0.0/0", GatewayId=igw)
    ec2.detach_internet_gateway(InternetGatewayId=igw, VpcId=vpc)
    ec2.attach_internet_gateway(InternetGatewayId=igw, VpcId=new_vpc(ec2, "10.9.0.0/16"))
    assert route(ec2, rtb, "0.0.0.0/0")["State"] == "blackhole"


def test_rt_12_targets_deleted_turn_routes_blackhole_and_back(
    ec2: Any, store: Store, clock: Clock, vpc: str, rtb: str
) -> None:
    """NAT gateway deleted, ENI deleted: blackhole; the same ENI back: active again."""
    subnet = new_subnet(ec2, vpc)
    nat = nat_gateway(store, vpc, subnet, clock)
    appliance = eni(store, vpc, subnet)
    ec2.create_route(RouteTableId=rtb, DestinationCidrBlock="0.0.0.0/0", NatGatewayId=nat.id)
    ec2.create_route(
        RouteTableId=rtb, DestinationCidrBlock="172.16.0.0/12", NetworkInterfaceId=appliance.id
    )
    assert {r["State"] for r in table(ec2, rtb)["Routes"]} == {"active"}
    put(store, evolve(nat, deleted_at=clock.now()))
    remove(store, appliance)
    assert route(ec2, rtb, "0.0.0.0/0")["State"] == "blackhole"
    assert route(ec2, rtb, "172.16.0.0/12")["State"] == "blackhole"
    put(store, appliance)
    assert route(ec2, rtb, "172.16.0.0/12")["State"] == "active"


def test_amb_24_stopped_instance_route_active_terminated_blackhole(
    ec2: Any, store: Store, vpc: str, rtb: str
) -> None:
    """A stopped NAT instance keeps its route active; termination blackholes it."""
    nat_instance = instance(store, vpc, new_subnet(ec2, vpc))
    ec2.create_route(RouteTableId=rtb, DestinationCidrBlock="0.0.0.0/0", InstanceId=nat_instance.id)
    put(store, evolve(nat_instance, state="stopped"))
    assert route(ec2, rtb, "0.0.0.0/0")["State"] == "active"
    put(store, evolve(nat_instance, state="terminated"))
    assert route(ec2, rtb, "0.0.0.0/0")["State"] == "blackhole"


def test_rt_12_route_to_deleted_egress_only_gateway_is_blackhole(ec2: Any) -> None:
    """Deleting an egress-only IGW leaves its routes as blackhole (IGW-15)."""
    vpc_id = new_vpc(ec2, AmazonProvidedIpv6CidrBlock=True)
    rtb_id = new_table(ec2, vpc_id)
    eigw_id = ec2.create_egress_only_internet_gateway(VpcId=vpc_id)["EgressOnlyInternetGateway"][
        "EgressOnlyInternetGatewayId"
    ]
    ec2.create_route(
        RouteTableId=rtb_id, DestinationIpv6CidrBlock="::/0", EgressOnlyInternetGatewayId=eigw_id
    )
    assert route(ec2, rtb_id, "::/0")["State"] == "active"
    ec2.delete_egress_only_internet_gateway(EgressOnlyInternetGatewayId=eigw_id)
    assert route(ec2, rtb_id, "::/0")["State"] == "blackhole"


def test_rt_14_origins_of_local_and_created_routes(ec2: Any, vpc: str, rtb: str) -> None:
    """Local routes come from CreateRouteTable, user routes from CreateRoute."""
    ec2.create_route(
        RouteTableId=rtb, DestinationCidrBlock="0.0.0.0/0", GatewayId=attached_igw(ec2, vpc)
    )
    origins = {r["GatewayId"]: r["Origin"] for r in table(ec2, rtb)["Routes"]}
    assert sorted(origins.values()) == ["CreateRoute", "CreateRouteTable"]
    assert origins["local"] == "CreateRouteTable"


# -- main table, associations, deletion -------------------------------------------------------
def test_rt_15_main_association_moves_to_another_table(
    ec2: Any, store: Store, vpc: str, rtb: str
) -> None:
    """ReplaceRouteTableAssociation on the main association makes another table main."""
    subnet = new_subnet(ec2, vpc)
    old_main = main_table(ec2, vpc)
    main_assoc = old_main["Associations"][0]
    assert main_assoc["Main"] is True and "SubnetId" not in main_assoc
    answer = ec2.replace_route_table_association(
        AssociationId=main_assoc["RouteTableAssociationId"], RouteTableId=rtb
    )
    assert answer["AssociationState"] == {"State": "associated"}
    new_main = main_table(ec2, vpc)
    assert new_main["RouteTableId"] == rtb
    assert new_main["Associations"][0]["RouteTableAssociationId"] == answer["NewAssociationId"]
    assert table(ec2, old_main["RouteTableId"])["Associations"] == []
    assert subnet_route_table(store.view(ACCOUNT, REGION), subnet).id == rtb
    ec2.delete_route_table(RouteTableId=old_main["RouteTableId"])


def test_rt_15_main_association_cannot_be_disassociated(ec2: Any, vpc: str) -> None:
    """DisassociateRouteTable on the main association fails (OBS-10)."""
    assoc_id = main_table(ec2, vpc)["Associations"][0]["RouteTableAssociationId"]
    code, message = aws_error(ec2.disassociate_route_table, AssociationId=assoc_id)
    assert (code, message) == (
        "InvalidParameterValue",
        f"cannot disassociate the main route table association {assoc_id}",
    )


def test_rt_15_main_table_must_stay_in_its_vpc(ec2: Any, vpc: str) -> None:
    """The main association can only move to a table of the same VPC."""
    assoc_id = main_table(ec2, vpc)["Associations"][0]["RouteTableAssociationId"]
    foreign = new_table(ec2, new_vpc(ec2, "10.9.0.0/16"))
    code, _ = aws_error(
        ec2.replace_route_table_association, AssociationId=assoc_id, RouteTableId=foreign
    )
    assert code == "InvalidParameterValue"


def test_amb_9_main_table_cannot_be_deleted(ec2: Any, vpc: str) -> None:
    """DeleteRouteTable on the main table: DependencyViolation."""
    main_id = main_table(ec2, vpc)["RouteTableId"]
    code, message = aws_error(ec2.delete_route_table, RouteTableId=main_id)
    assert code == "DependencyViolation"
    assert message == f"The routeTable '{main_id}' has dependencies and cannot be deleted."


def test_rt_16_table_with_a_subnet_cannot_be_deleted_until_disassociated(
    ec2: Any, vpc: str, rtb: str
) -> None:
    """An associated custom table is protected; after disassociation it can go."""
    subnet = new_subnet(ec2, vpc)
    assoc_id = ec2.associate_route_table(RouteTableId=rtb, SubnetId=subnet)["AssociationId"]
    code, message = aws_error(ec2.delete_route_table, RouteTableId=rtb)
    assert code == "DependencyViolation"
    assert message == f"The routeTable '{rtb}' has dependencies and cannot be deleted."
    ec2.disassociate_route_table(AssociationId=assoc_id)
    ec2.delete_route_table(RouteTableId=rtb)
    assert (
        aws_error(ec2.describe_route_tables, RouteTableIds=[rtb])[0]
        == "InvalidRouteTableID.NotFound"
    )


def test_rt_17_subnet_uses_its_explicit_table_else_the_main_one(
    ec2: Any, store: Store, vpc: str, rtb: str
) -> None:
    """Association shows in the table; disassociation returns the subnet to the main table."""
    subnet = new_subnet(ec2, vpc)
    view = store.view(ACCOUNT, REGION)
    main_id = main_table(ec2, vpc)["RouteTableId"]
    assert subnet_route_table(view, subnet).id == main_id
    answer = ec2.associate_route_table(RouteTableId=rtb, SubnetId=subnet)
    assert answer["AssociationState"] == {"State": "associated"}
    assoc = table(ec2, rtb)["Associations"][0]
    assert assoc == {
        "Main": False,
        "RouteTableAssociationId": answer["AssociationId"],
        "RouteTableId": rtb,
        "SubnetId": subnet,
        "AssociationState": {"State": "associated"},
    }
    assert subnet_route_table(store.view(ACCOUNT, REGION), subnet).id == rtb
    ec2.disassociate_route_table(AssociationId=answer["AssociationId"])
    assert subnet_route_table(store.view(ACCOUNT, REGION), subnet).id == main_id


def test_rt_17_subnet_has_at_most_one_explicit_association(ec2: Any, vpc: str, rtb: str) -> None:
    """A second association of the same subnet conflicts (OBS-12); replace moves it instead."""
    subnet = new_subnet(ec2, vpc)
    assoc_id = ec2.associate_route_table(RouteTableId=rtb, SubnetId=subnet)["AssociationId"]
    other = new_table(ec2, vpc)
    code, message = aws_error(ec2.associate_route_table, RouteTableId=other, SubnetId=subnet)
    assert code == "Resource.AlreadyAssociated"
    assert message == (
        f"the specified association for route table {other} conflicts with an existing association"
    )
    new_id_ = ec2.replace_route_table_association(AssociationId=assoc_id, RouteTableId=other)[
        "NewAssociationId"
    ]
    assert new_id_ != assoc_id
    assert table(ec2, rtb)["Associations"] == []
    assert table(ec2, other)["Associations"][0]["SubnetId"] == subnet


def test_rt_17_subnet_and_table_must_share_a_vpc(ec2: Any, rtb: str) -> None:
    """A table cannot serve a subnet of another VPC."""
    other_vpc = new_vpc(ec2, "10.9.0.0/16")
    subnet = new_subnet(ec2, other_vpc, "10.9.1.0/24")
    code, _ = aws_error(ec2.associate_route_table, RouteTableId=rtb, SubnetId=subnet)
    assert code == "InvalidParameterValue"


def test_sub_8_subnet_is_public_when_its_table_routes_to_an_igw(
    ec2: Any, store: Store, vpc: str, rtb: str
) -> None:
    """Public by route presence; AMB-17: a blackholed IGW route still counts."""
    subnet = new_subnet(ec2, vpc)
    ec2.associate_route_table(RouteTableId=rtb, SubnetId=subnet)
    assert not is_public_subnet(store.view(ACCOUNT, REGION), subnet)
    igw = attached_igw(ec2, vpc)
    ec2.create_route(RouteTableId=rtb, DestinationCidrBlock="0.0.0.0/0", GatewayId=igw)
    assert is_public_subnet(store.view(ACCOUNT, REGION), subnet)
    ec2.detach_internet_gateway(InternetGatewayId=igw, VpcId=vpc)
    assert is_public_subnet(store.view(ACCOUNT, REGION), subnet)


def test_amb_17_default_subnets_are_public(ec2: Any, store: Store) -> None:
    """Default subnets use the default VPC's main table, which routes 0.0.0.0/0 to its IGW."""
    subnets = ec2.describe_subnets(Filters=[{"Name": "default-for-az", "Values": ["true"]}])[
        "Subnets"
    ]
    view = store.view(ACCOUNT, REGION)
    assert subnets and all(is_public_subnet(view, s["SubnetId"]) for s in subnets)
    main = main_table(ec2, subnets[0]["VpcId"])
    assert {r["State"] for r in main["Routes"]} == {"active"}


def test_rt_19_gateway_edge_association(ec2: Any, store: Store, vpc: str, rtb: str) -> None:
    """An IGW edge table may only route VPC or whole-subnet CIDRs to ENIs; shown with GatewayId."""
    subnet = new_subnet(ec2, vpc)
    appliance = eni(store, vpc, subnet)
    igw = attached_igw(ec2, vpc)
    ec2.create_route(
        RouteTableId=rtb, DestinationCidrBlock="10.0.1.0/24", NetworkInterfaceId=appliance.id
    )
    assoc_id = ec2.associate_route_table(RouteTableId=rtb, GatewayId=igw)["AssociationId"]
    shown = table(ec2, rtb)["Associations"][0]
    assert shown["GatewayId"] == igw and shown["RouteTableAssociationId"] == assoc_id
    code, _ = aws_error(
        ec2.create_route,
        RouteTableId=rtb,
        DestinationCidrBlock="0.0.0.0/0",
        NetworkInterfaceId=appliance.id,
    )
    assert code == "InvalidParameterValue"
    edge = ec2.describe_route_tables(Filters=[{"Name": "association.gateway-id", "Values": [igw]}])
    assert [t["RouteTableId"] for t in edge["RouteTables"]] == [rtb]
    main_assoc = main_table(ec2, vpc)["Associations"][0]["RouteTableAssociationId"]
    code, _ = aws_error(
        ec2.replace_route_table_association, AssociationId=main_assoc, RouteTableId=rtb
    )
    assert code == "InvalidParameterValue"
    assert aws_error(ec2.delete_internet_gateway, InternetGatewayId=igw)[0] == "DependencyViolation"


def test_rt_19_table_with_other_targets_cannot_take_a_gateway(ec2: Any, vpc: str, rtb: str) -> None:
    """A table routing to an IGW, or the main table, cannot be edge-associated."""
    igw = attached_igw(ec2, vpc)
    ec2.create_route(RouteTableId=rtb, DestinationCidrBlock="0.0.0.0/0", GatewayId=igw)
    assert (
        aws_error(ec2.associate_route_table, RouteTableId=rtb, GatewayId=igw)[0]
        == "InvalidParameterValue"
    )
    main_id = main_table(ec2, vpc)["RouteTableId"]
    assert (
        aws_error(ec2.associate_route_table, RouteTableId=main_id, GatewayId=igw)[0]
        == "InvalidParameterValue"
    )
    code, _ = aws_error(ec2.associate_route_table, RouteTableId=rtb)
    assert code == "MissingParameter"


def test_rt_22_routes_per_table_quota(ec2: Any, vpc: str, rtb: str) -> None:
    """50 non-propagated IPv4 routes per table (the local route included), always enforced."""
    igw = attached_igw(ec2, vpc)
    for i in range(49):
        ec2.create_route(RouteTableId=rtb, DestinationCidrBlock=f"192.168.{i}.0/24", GatewayId=igw)
    code, _ = aws_error(
        ec2.create_route, RouteTableId=rtb, DestinationCidrBlock="192.168.200.0/24", GatewayId=igw
    )
    assert code == "RouteLimitExceeded"


def test_rt_22_route_tables_per_vpc_quota_when_quotas_are_on(store: Store) -> None:
    """200 tables per VPC, main included, only with --quotas aws."""
    strict = client(Api(store, Settings(quotas="aws")))
    vpc_id = new_vpc(strict)
    with store.transaction(ACCOUNT, REGION) as tx:
        for _ in range(199):
            create_route_table(tx, vpc_id)
    code, _ = aws_error(strict.create_route_table, VpcId=vpc_id)
    assert code == "RouteTableLimitExceeded"


def test_rt_23_unknown_malformed_table_and_unknown_association(ec2: Any) -> None:
    """Exact not-found and malformed codes."""
    assert aws_error(ec2.delete_route_table, RouteTableId="rtb-0123456789abcdef0")[0] == (
        "InvalidRouteTableID.NotFound"
    )
    assert (
        aws_error(ec2.delete_route_table, RouteTableId="nope")[0] == "InvalidRouteTableId.Malformed"
    )
    assert (
        aws_error(ec2.create_route_table, VpcId="vpc-0123456789abcdef0")[0]
        == "InvalidVpcID.NotFound"
    )
    assert aws_error(ec2.disassociate_route_table, AssociationId="rtbassoc-0123456789abcdef0")[
        0
    ] == ("InvalidAssociationID.NotFound")


def test_vpc_25_custom_table_blocks_vpc_deletion_until_deleted(
    ec2: Any, vpc: str, rtb: str
) -> None:
    """Deletion order: custom tables first, then the VPC (its main table goes with it)."""
    assert aws_error(ec2.delete_vpc, VpcId=vpc)[0] == "DependencyViolation"
    ec2.delete_route_table(RouteTableId=rtb)
    ec2.delete_vpc(VpcId=vpc)
    left = ec2.describe_route_tables(Filters=[{"Name": "vpc-id", "Values": [vpc]}])["RouteTables"]
    assert left == []


def test_dry_run_changes_nothing(ec2: Any, vpc: str) -> None:
    """A valid DryRun answers DryRunOperation and creates no table."""
    before = len(ec2.describe_route_tables()["RouteTables"])
    assert aws_error(ec2.create_route_table, VpcId=vpc, DryRun=True)[0] == "DryRunOperation"
    assert len(ec2.describe_route_tables()["RouteTables"]) == before


def test_failed_request_changes_nothing(ec2: Any, vpc: str, rtb: str) -> None:
    """An error mid-way leaves the table as it was (no partial change)."""
    before = table(ec2, rtb)
    aws_error(
        ec2.create_route,
        RouteTableId=rtb,
        DestinationCidrBlock="0.0.0.0/0",
        GatewayId="igw-0123456789abcdef0",
    )
    assert table(ec2, rtb) == before


# -- Describe: filters and pagination ---------------------------------------------------------
def test_describe_route_tables_filters(
    ec2: Any, store: Store, clock: Clock, vpc: str, rtb: str
) -> None:
    """Every supported filter selects the expected tables."""
    subnet = new_subnet(ec2, vpc)
    igw = attached_igw(ec2, vpc)
    nat = nat_gateway(store, vpc, subnet, clock)
    ni = instance(store, vpc, subnet)
    pcx = peering(store, vpc, new_vpc(ec2, "10.50.0.0/16"), "pending-acceptance")
    assoc_id = ec2.associate_route_table(RouteTableId=rtb, SubnetId=subnet)["AssociationId"]
    ec2.create_route(RouteTableId=rtb, DestinationCidrBlock="0.0.0.0/0", GatewayId=igw)
    ec2.create_route(RouteTableId=rtb, DestinationCidrBlock="192.168.0.0/16", NatGatewayId=nat.id)
    ec2.create_route(RouteTableId=rtb, DestinationCidrBlock="172.16.0.0/12", InstanceId=ni.id)
    ec2.create_route(
        RouteTableId=rtb, DestinationCidrBlock="10.50.0.0/16", VpcPeeringConnectionId=pcx.id
    )
    ec2.create_tags(Resources=[rtb], Tags=[{"Key": "tier", "Value": "public"}])
    main_id = main_table(ec2, vpc)["RouteTableId"]

    def ids(name: str, *values: str) -> set[str]:
        mine = {"Name": "vpc-id", "Values": [vpc]}
        found = ec2.describe_route_tables(Filters=[mine, {"Name": name, "Values": list(values)}])
        return {t["RouteTableId"] for t in found["RouteTables"]}

    assert ids("route-table-id", rtb) == {rtb}
    assert ids("vpc-id", vpc) == {rtb, main_id}
    assert ids("owner-id", ACCOUNT) == {rtb, main_id}
    assert ids("association.route-table-association-id", assoc_id) == {rtb}
    assert ids("association.route-table-id", rtb) == {rtb}
    assert ids("association.subnet-id", subnet) == {rtb}
    assert main_id in ids("association.main", "true") and rtb not in ids("association.main", "true")
    assert rtb in ids("association.main", "false")
    assert ids("route.destination-cidr-block", "192.168.0.0/16") == {rtb}
    assert ids("route.gateway-id", igw) == {rtb}
    assert ids("route.nat-gateway-id", nat.id) == {rtb}
    assert ids("route.instance-id", ni.id) == {rtb}
    assert ids("route.vpc-peering-connection-id", pcx.id) == {rtb}
    assert ids("route.origin", "CreateRoute") == {rtb}
    assert rtb in ids("route.state", "blackhole") and main_id not in ids("route.state", "blackhole")
    assert ids("tag:tier", "public") == {rtb}
    assert ids("route.destination-prefix-list-id", "pl-*") == set()
    assert ids("route.egress-only-internet-gateway-id", "eigw-*") == set()
    assert aws_error(ec2.describe_route_tables, Filters=[{"Name": "bogus", "Values": ["x"]}])[
        0
    ] == ("InvalidParameterValue")


def test_describe_route_tables_paginates(ec2: Any, vpc: str) -> None:
    """botocore's paginator walks every table exactly once."""
    made = {new_table(ec2, vpc) for _ in range(7)}
    pages = ec2.get_paginator("describe_route_tables").paginate(
        Filters=[{"Name": "vpc-id", "Values": [vpc]}], PaginationConfig={"PageSize": 5}
    )
    seen = [t["RouteTableId"] for page in pages for t in page["RouteTables"]]
    assert len(seen) == len(set(seen)) == 8
    assert made <= set(seen)
    assert aws_error(ec2.describe_route_tables, MaxResults=101)[0] == "InvalidParameterValue"


# -- with the real APIs of the target families ------------------------------------------------
def test_rt_12_nat_gateway_route_through_the_nat_api(ec2: Any, vpc: str, rtb: str) -> None:
    """CreateNatGateway -> active route; DeleteNatGateway -> blackhole, the route stays (NAT-5)."""
    subnet = new_subnet(ec2, vpc)
    attached_igw(ec2, vpc)
    allocation = ec2.allocate_address(Domain="vpc")["AllocationId"]
    nat_id = ec2.create_nat_gateway(SubnetId=subnet, AllocationId=allocation)["NatGateway"][
        "NatGatewayId"
    ]
    ec2.create_route(RouteTableId=rtb, DestinationCidrBlock="0.0.0.0/0", NatGatewayId=nat_id)
    assert route(ec2, rtb, "0.0.0.0/0")["State"] == "active"
    ec2.delete_nat_gateway(NatGatewayId=nat_id)
    assert route(ec2, rtb, "0.0.0.0/0") == {
        "DestinationCidrBlock": "0.0.0.0/0",
        "NatGatewayId": nat_id,
        "Origin": "CreateRoute",
        "State": "blackhole",
    }
    code, _ = aws_error(
        ec2.create_route, RouteTableId=rtb, DestinationCidrBlock="10.8.0.0/16", NatGatewayId=nat_id
    )
    assert code == "NatGatewayNotFound"


def test_rt_12_interface_route_through_the_eni_api(ec2: Any, vpc: str, rtb: str) -> None:
    """CreateNetworkInterface -> active route; DeleteNetworkInterface -> blackhole."""
    subnet = new_subnet(ec2, vpc)
    eni_id = ec2.create_network_interface(SubnetId=subnet)["NetworkInterface"]["NetworkInterfaceId"]
    ec2.create_route(RouteTableId=rtb, DestinationCidrBlock="0.0.0.0/0", NetworkInterfaceId=eni_id)
    assert route(ec2, rtb, "0.0.0.0/0")["State"] == "active"
    ec2.delete_network_interface(NetworkInterfaceId=eni_id)
    assert route(ec2, rtb, "0.0.0.0/0")["State"] == "blackhole"
    code, _ = aws_error(
        ec2.create_route,
        RouteTableId=rtb,
        DestinationCidrBlock="10.8.0.0/16",
        NetworkInterfaceId=eni_id,
    )
    assert code == "InvalidNetworkInterfaceID.NotFound"


def test_rt_10_interface_of_another_vpc_refused(ec2: Any, rtb: str) -> None:
    """An ENI target must live in the table's VPC."""
    other_vpc = new_vpc(ec2, "10.9.0.0/16")
    subnet = new_subnet(ec2, other_vpc, "10.9.1.0/24")
    eni_id = ec2.create_network_interface(SubnetId=subnet)["NetworkInterface"]["NetworkInterfaceId"]
    code, message = aws_error(
        ec2.create_route,
        RouteTableId=rtb,
        DestinationCidrBlock="0.0.0.0/0",
        NetworkInterfaceId=eni_id,
    )
    assert code == "InvalidParameterValue"
    assert message == f"route table {rtb} and interface {eni_id} belong to different networks"


def test_rt_21_peering_route_through_the_peering_api(ec2: Any, vpc: str, rtb: str) -> None:
    """Pending: blackhole; accepted: active (nothing added on accept); deleted: blackhole."""
    peer_vpc = new_vpc(ec2, "10.50.0.0/16")
    pcx_id = ec2.create_vpc_peering_connection(VpcId=vpc, PeerVpcId=peer_vpc)[
        "VpcPeeringConnection"
    ]["VpcPeeringConnectionId"]
    ec2.create_route(
        RouteTableId=rtb, DestinationCidrBlock="10.50.7.0/24", VpcPeeringConnectionId=pcx_id
    )
    assert route(ec2, rtb, "10.50.7.0/24")["State"] == "blackhole"
    ec2.accept_vpc_peering_connection(VpcPeeringConnectionId=pcx_id)
    assert route(ec2, rtb, "10.50.7.0/24")["State"] == "active"
    assert (
        ec2.describe_route_tables(
            Filters=[{"Name": "route.vpc-peering-connection-id", "Values": [pcx_id]}]
        )["RouteTables"][0]["RouteTableId"]
        == rtb
    )
    ec2.delete_vpc_peering_connection(VpcPeeringConnectionId=pcx_id)
    assert route(ec2, rtb, "10.50.7.0/24")["State"] == "blackhole"
    code, _ = aws_error(
        ec2.create_route,
        RouteTableId=rtb,
        DestinationCidrBlock="10.50.8.0/24",
        VpcPeeringConnectionId=pcx_id,
    )
    assert code == "InvalidVpcPeeringConnectionID.NotFound"


def test_rt_12_cross_account_peering_route_follows_the_accepters_answer(
    ec2: Any, make_client: Any, vpc: str, rtb: str
) -> None:
    """Each account routes over the peering; both routes turn active when the accepter accepts."""
    peer = make_client(access_key="210987654321")
    peer_vpc = new_vpc(peer, "10.60.0.0/16")
    peer_rtb = new_table(peer, peer_vpc)
    pcx_id = ec2.create_vpc_peering_connection(
        VpcId=vpc, PeerVpcId=peer_vpc, PeerOwnerId="210987654321"
    )["VpcPeeringConnection"]["VpcPeeringConnectionId"]
    ec2.create_route(
        RouteTableId=rtb, DestinationCidrBlock="10.60.0.0/16", VpcPeeringConnectionId=pcx_id
    )
    peer.create_route(
        RouteTableId=peer_rtb, DestinationCidrBlock="10.0.0.0/16", VpcPeeringConnectionId=pcx_id
    )
    assert route(ec2, rtb, "10.60.0.0/16")["State"] == "blackhole"
    assert route(peer, peer_rtb, "10.0.0.0/16")["State"] == "blackhole"
    peer.accept_vpc_peering_connection(VpcPeeringConnectionId=pcx_id)
    assert route(ec2, rtb, "10.60.0.0/16")["State"] == "active"
    assert route(peer, peer_rtb, "10.0.0.0/16")["State"] == "active"


def test_rt_22_ipv6_routes_are_counted_apart(ec2: Any) -> None:
    """Full IPv4 quota does not stop an IPv6 route."""
    vpc_id = new_vpc(ec2, AmazonProvidedIpv6CidrBlock=True)
    rtb_id = new_table(ec2, vpc_id)
    igw = attached_igw(ec2, vpc_id)
    for i in range(49):
        ec2.create_route(
            RouteTableId=rtb_id, DestinationCidrBlock=f"192.168.{i}.0/24", GatewayId=igw
        )
    assert aws_error(
        ec2.create_route, RouteTableId=rtb_id, DestinationCidrBlock="8.8.8.0/24", GatewayId=igw
    )[0] == ("RouteLimitExceeded")
    ec2.create_route(RouteTableId=rtb_id, DestinationIpv6CidrBlock="::/0", GatewayId=igw)


def test_rt_6_prefix_list_destination(ec2: Any, vpc: str, rtb: str) -> None:
    """A managed prefix list can be a destination, once; it shows in DestinationPrefixListId."""
    igw = attached_igw(ec2, vpc)
    pl_id = ec2.create_managed_prefix_list(
        PrefixListName="office", MaxEntries=5, AddressFamily="IPv4"
    )["PrefixList"]["PrefixListId"]
    ec2.create_route(RouteTableId=rtb, DestinationPrefixListId=pl_id, GatewayId=igw)
    shown = [r for r in table(ec2, rtb)["Routes"] if r.get("DestinationPrefixListId") == pl_id]
    assert shown == [
        {
            "DestinationPrefixListId": pl_id,
            "GatewayId": igw,
            "Origin": "CreateRoute",
            "State": "active",
        }
    ]
    code, _ = aws_error(
        ec2.create_route, RouteTableId=rtb, DestinationPrefixListId=pl_id, GatewayId=igw
    )
    assert code == "RouteAlreadyExists"
    found = ec2.describe_route_tables(
        Filters=[{"Name": "route.destination-prefix-list-id", "Values": [pl_id]}]
    )
    assert [t["RouteTableId"] for t in found["RouteTables"]] == [rtb]
    ec2.delete_route(RouteTableId=rtb, DestinationPrefixListId=pl_id)
    code, _ = aws_error(
        ec2.create_route,
        RouteTableId=rtb,
        DestinationPrefixListId="pl-0123456789abcdef0",
        GatewayId=igw,
    )
    assert code == "InvalidPrefixListID.NotFound"


def test_rt_9_targets_of_families_vpclab_lacks_are_not_found(ec2: Any, rtb: str) -> None:
    """A transit gateway or endpoint id can name nothing here: its family's not-found code."""
    for member, value, expected in (
        ("TransitGatewayId", "tgw-0123456789abcdef0", "InvalidTransitGatewayID.NotFound"),
        ("VpcEndpointId", "vpce-0123456789abcdef0", "InvalidVpcEndpointId.NotFound"),
    ):
        code, _ = aws_error(
            ec2.create_route, RouteTableId=rtb, DestinationCidrBlock="0.0.0.0/0", **{member: value}
        )
        assert code == expected


def test_rt_15_subnets_follow_the_new_main_table_but_explicit_ones_stay(
    ec2: Any, store: Store, vpc: str, rtb: str
) -> None:
    """Implicit subnets move with Main=true; explicitly associated ones keep their table."""
    implicit = new_subnet(ec2, vpc, "10.0.1.0/24")
    explicit = new_subnet(ec2, vpc, "10.0.2.0/24")
    pinned = new_table(ec2, vpc)
    ec2.associate_route_table(RouteTableId=pinned, SubnetId=explicit)
    main_assoc = main_table(ec2, vpc)["Associations"][0]["RouteTableAssociationId"]
    ec2.replace_route_table_association(AssociationId=main_assoc, RouteTableId=rtb)
    view = store.view(ACCOUNT, REGION)
    assert subnet_route_table(view, implicit).id == rtb
    assert subnet_route_table(view, explicit).id == pinned


def test_describe_route_tables_ids_with_max_results_refused(ec2: Any, rtb: str) -> None:
    """MaxResults cannot be combined with explicit ids."""
    code, _ = aws_error(ec2.describe_route_tables, RouteTableIds=[rtb], MaxResults=5)
    assert code == "InvalidParameterCombination"


def test_amb_24_instance_route_through_the_instance_api(ec2: Any, vpc: str, rtb: str) -> None:
    """RunInstances target: active, still active when stopped, blackhole when terminated."""
    subnet = new_subnet(ec2, vpc)
    launched = ec2.run_instances(ImageId="ami-12345678", MinCount=1, MaxCount=1, SubnetId=subnet)[
        "Instances"
    ][0]
    instance_id = launched["InstanceId"]
    ec2.create_route(RouteTableId=rtb, DestinationCidrBlock="0.0.0.0/0", InstanceId=instance_id)
    shown = route(ec2, rtb, "0.0.0.0/0")
    assert shown["NetworkInterfaceId"] == launched["NetworkInterfaces"][0]["NetworkInterfaceId"]
    assert shown["State"] == "active"
    ec2.stop_instances(InstanceIds=[instance_id])
    assert route(ec2, rtb, "0.0.0.0/0")["State"] == "active"
    ec2.terminate_instances(InstanceIds=[instance_id])
    assert route(ec2, rtb, "0.0.0.0/0")["State"] == "blackhole"


def test_rt_10_instance_with_a_second_interface_needs_the_interface_id(
    ec2: Any, vpc: str, rtb: str
) -> None:
    """After AttachNetworkInterface the instance has two ENIs: InvalidInstanceID."""
    subnet = new_subnet(ec2, vpc)
    instance_id = ec2.run_instances(
        ImageId="ami-12345678", MinCount=1, MaxCount=1, SubnetId=subnet
    )["Instances"][0]["InstanceId"]
    extra = ec2.create_network_interface(SubnetId=subnet)["NetworkInterface"]["NetworkInterfaceId"]
    ec2.attach_network_interface(NetworkInterfaceId=extra, InstanceId=instance_id, DeviceIndex=1)
    code, message = aws_error(
        ec2.create_route, RouteTableId=rtb, DestinationCidrBlock="0.0.0.0/0", InstanceId=instance_id
    )
    assert code == "InvalidInstanceID"
    assert instance_id in message


def test_create_route_table_client_token_is_idempotent(ec2: Any, vpc: str) -> None:
    """The same ClientToken gives the same table; for another VPC it is a mismatch."""
    first = ec2.create_route_table(VpcId=vpc, ClientToken="token-1")
    again = ec2.create_route_table(VpcId=vpc, ClientToken="token-1")
    assert first["RouteTable"]["RouteTableId"] == again["RouteTable"]["RouteTableId"]
    assert again["ClientToken"] == "token-1"
    code, message = aws_error(
        ec2.create_route_table, VpcId=new_vpc(ec2, "10.9.0.0/16"), ClientToken="token-1"
    )
    assert code == "IdempotentParameterMismatch"
    assert message == IDEMPOTENCY_MISMATCH


def test_rt_19_edge_association_moves_to_another_gateway_table(
    ec2: Any, store: Store, vpc: str, rtb: str
) -> None:
    """ReplaceRouteTableAssociation moves the gateway association; the target must qualify."""
    igw = attached_igw(ec2, vpc)
    assoc_id = ec2.associate_route_table(RouteTableId=rtb, GatewayId=igw)["AssociationId"]
    unfit = new_table(ec2, vpc)
    ec2.create_route(RouteTableId=unfit, DestinationCidrBlock="0.0.0.0/0", GatewayId=igw)
    code, _ = aws_error(
        ec2.replace_route_table_association, AssociationId=assoc_id, RouteTableId=unfit
    )
    assert code == "InvalidParameterValue"
    fit = new_table(ec2, vpc)
    new_assoc = ec2.replace_route_table_association(AssociationId=assoc_id, RouteTableId=fit)[
        "NewAssociationId"
    ]
    assert table(ec2, fit)["Associations"][0]["GatewayId"] == igw
    assert table(ec2, fit)["Associations"][0]["RouteTableAssociationId"] == new_assoc
    assert table(ec2, rtb)["Associations"] == []
    assert (
        aws_error(ec2.associate_route_table, RouteTableId=rtb, GatewayId=igw)[0]
        == "Resource.AlreadyAssociated"
    )


def test_rt_2_each_local_route_of_several_vpc_cidrs_is_handled_separately(
    ec2: Any, store: Store, vpc: str, rtb: str
) -> None:
    """With a secondary block, its local route is protected and replaceable on its own."""
    ec2.associate_vpc_cidr_block(VpcId=vpc, CidrBlock="10.1.0.0/16")
    appliance = eni(store, vpc, new_subnet(ec2, vpc))
    code, message = aws_error(
        ec2.delete_route, RouteTableId=rtb, DestinationCidrBlock="10.1.0.0/16"
    )
    assert (code, message) == (
        "InvalidParameterValue",
        f"cannot remove local route 10.1.0.0/16 in route table {rtb}",
    )
    ec2.replace_route(
        RouteTableId=rtb, DestinationCidrBlock="10.1.0.0/16", NetworkInterfaceId=appliance.id
    )
    assert route(ec2, rtb, "10.1.0.0/16")["NetworkInterfaceId"] == appliance.id
    assert route(ec2, rtb, "10.0.0.0/16")["GatewayId"] == "local"
    code, _ = aws_error(
        ec2.create_route, RouteTableId=rtb, DestinationCidrBlock="10.1.0.0/16", GatewayId="local"
    )
    assert code == "RouteAlreadyExists"
    code, _ = aws_error(
        ec2.create_route, RouteTableId=rtb, DestinationCidrBlock="10.2.0.0/16", GatewayId="local"
    )
    assert code == "InvalidParameterValue"


def test_igw_11_route_without_a_stamped_vpc_is_judged_by_its_table(
    ec2: Any, store: Store, vpc: str, rtb: str
) -> None:
    """A route loaded from an imported state (no vpc stamp) still needs the IGW in its table's VPC."""
    igw = attached_igw(ec2, new_vpc(ec2, "10.9.0.0/16"))
    stored = store.view(ACCOUNT, REGION).get(RouteTable, rtb)
    assert stored is not None
    imported = Route(destination="0.0.0.0/0", target=RouteTarget(kind="gateway", id=igw))
    put(store, evolve(stored, routes=(*stored.routes, imported)))
    assert route(ec2, rtb, "0.0.0.0/0")["State"] == "blackhole"


def test_route_tables_and_gateways_survive_a_restart(tmp_path: Any, clock: Clock) -> None:
    """Tables, routes, associations and gateways read back from the state file unchanged."""
    path = tmp_path / "state.db"
    first = Store(path, clock=clock)
    ec2 = client(Api(first))
    vpc_id = new_vpc(ec2)
    subnet = new_subnet(ec2, vpc_id)
    rtb_id = ec2.create_route_table(VpcId=vpc_id, ClientToken="persist")["RouteTable"][
        "RouteTableId"
    ]
    igw = attached_igw(ec2, vpc_id)
    ec2.create_route(RouteTableId=rtb_id, DestinationCidrBlock="0.0.0.0/0", GatewayId=igw)
    ec2.associate_route_table(RouteTableId=rtb_id, SubnetId=subnet)
    ec2.create_egress_only_internet_gateway(VpcId=vpc_id)
    before = (
        ec2.describe_route_tables()["RouteTables"],
        ec2.describe_internet_gateways()["InternetGateways"],
        ec2.describe_egress_only_internet_gateways()["EgressOnlyInternetGateways"],
    )
    first.close()
    second = Store(path, clock=clock)
    reopened = client(Api(second))
    after = (
        reopened.describe_route_tables()["RouteTables"],
        reopened.describe_internet_gateways()["InternetGateways"],
        reopened.describe_egress_only_internet_gateways()["EgressOnlyInternetGateways"],
    )
    assert after == before
    again = reopened.create_route_table(VpcId=vpc_id, ClientToken="persist")["RouteTable"]
    assert again["RouteTableId"] == rtb_id
    second.close()

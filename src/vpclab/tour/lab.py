"""The tour's workbench: an EC2 client, a tracer and a record of every demonstrated fact."""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from vpclab.dataplane.trace import Trace

AMI = "ami-0123456789abcdef0"


@dataclass(frozen=True, slots=True)
class Fact:
    """One claim a chapter demonstrates, whether it held, and what was observed."""

    chapter: int
    claim: str
    held: bool
    observed: str


@dataclass
class Lab:
    """Builds resources through the EC2 API and traces flows, collecting facts as it goes."""

    ec2: Any
    tracer: Callable[..., Trace]
    say: Callable[[str], None] = print
    chapter: int = 0
    facts: list[Fact] = field(default_factory=list)
    service_client: Callable[[str], Any] | None = None
    _clients: dict[str, Any] = field(default_factory=dict, init=False, repr=False)

    def client(self, service: str) -> Any:
        """A boto3 client of another service (lambda, elasticache, rds) on the same endpoint."""
        if service == "ec2":
            return self.ec2
        if self.service_client is None:
            raise RuntimeError(f"this lab has no {service} client")
        if service not in self._clients:
            self._clients[service] = self.service_client(service)
        return self._clients[service]

    def check(self, claim: str, held: bool, observed: str) -> bool:
        """Record a demonstrated fact and show whether it held."""
        self.facts.append(Fact(self.chapter, claim, held, observed))
        self.say(f"  [{'ok' if held else 'FAILED'}] {claim}")
        self.say(f"         {observed}")
        return held

    def trace(self, source: str, destination: str, port: int | None = None, **kw: Any) -> Trace:
        """Trace a TCP flow (unless told otherwise) and show the verdict."""
        result = self.tracer(source, destination, port=port, **kw)
        shown = f"port {port}" if port is not None else "any port"
        self.say(f"  $ trace {source} -> {destination} ({shown}): {result.verdict}")
        return result

    def vpc(self, cidr: str, name: str) -> str:
        """A new VPC, tagged so the user can find it in describe output."""
        vpc = self.ec2.create_vpc(CidrBlock=cidr, TagSpecifications=_name("vpc", name))
        self.say(f"  + VPC {vpc['Vpc']['VpcId']} {cidr} ({name})")
        return str(vpc["Vpc"]["VpcId"])

    def subnet(self, vpc_id: str, cidr: str, name: str, zone: str | None = None) -> str:
        """A new subnet of a VPC (in the given availability zone, or one EC2 picks)."""
        placement = {"AvailabilityZone": zone} if zone else {}
        made = self.ec2.create_subnet(
            VpcId=vpc_id, CidrBlock=cidr, TagSpecifications=_name("subnet", name), **placement
        )["Subnet"]
        self.say(f"  + subnet {made['SubnetId']} {cidr} in {made['AvailabilityZone']} ({name})")
        return str(made["SubnetId"])

    def internet_gateway(self, vpc_id: str, name: str) -> str:
        """A new internet gateway attached to the VPC."""
        made = self.ec2.create_internet_gateway(TagSpecifications=_name("internet-gateway", name))
        igw = str(made["InternetGateway"]["InternetGatewayId"])
        self.ec2.attach_internet_gateway(InternetGatewayId=igw, VpcId=vpc_id)
        self.say(f"  + internet gateway {igw} attached to {vpc_id}")
        return igw

    def route_table(self, vpc_id: str, subnet_id: str, name: str, *more: str) -> str:
        """A new route table associated with the subnet (and any more subnets given)."""
        made = self.ec2.create_route_table(
            VpcId=vpc_id, TagSpecifications=_name("route-table", name)
        )
        table = str(made["RouteTable"]["RouteTableId"])
        for subnet in (subnet_id, *more):
            self.ec2.associate_route_table(RouteTableId=table, SubnetId=subnet)
        self.say(f"  + route table {table} associated with {', '.join((subnet_id, *more))}")
        return table

    def route(self, table: str, destination: str, **target: str) -> None:
        """A route in a table to the given target."""
        self.ec2.create_route(RouteTableId=table, DestinationCidrBlock=destination, **target)
        self.say(f"  + route {destination} -> {next(iter(target.values()))} in {table}")

    def public_subnet(self, vpc_id: str, cidr: str, name: str) -> str:
        """A subnet whose route table sends 0.0.0.0/0 to a new internet gateway."""
        subnet = self.subnet(vpc_id, cidr, name)
        igw = self.internet_gateway(vpc_id, f"{name}-igw")
        table = self.route_table(vpc_id, subnet, f"{name}-rt")
        self.route(table, "0.0.0.0/0", GatewayId=igw)
        return subnet

    def security_group(self, vpc_id: str, name: str, port: int | None, source: str) -> str:
        """A security group admitting TCP `port` from a CIDR or another group (None: nothing)."""
        made = self.ec2.create_security_group(VpcId=vpc_id, GroupName=name, Description=name)
        group = str(made["GroupId"])
        self.say(f"  + security group {group} ({name})")
        if port is not None:
            self.allow(group, port, source)
        return group

    def allow(self, group: str, port: int, source: str, revoke: bool = False) -> None:
        """Add (or, with revoke, remove) an inbound rule for one TCP port from a CIDR or group."""
        change = (
            self.ec2.revoke_security_group_ingress
            if revoke
            else self.ec2.authorize_security_group_ingress
        )
        change(GroupId=group, IpPermissions=[tcp_permission(port, source)])
        self.say(f"  {'-' if revoke else '+'} {group} in: tcp/{port} from {source}")

    def main_table(self, vpc_id: str) -> str:
        """The main route table of a VPC."""
        found = self.ec2.describe_route_tables(
            Filters=[
                {"Name": "vpc-id", "Values": [vpc_id]},
                {"Name": "association.main", "Values": ["true"]},
            ]
        )
        return str(found["RouteTables"][0]["RouteTableId"])

    def custom_acl(self, vpc_id: str, subnet_id: str) -> str:
        """A new network ACL (which denies everything until given rules) for the subnet."""
        acl = str(self.ec2.create_network_acl(VpcId=vpc_id)["NetworkAcl"]["NetworkAclId"])
        current = self.ec2.describe_network_acls(
            Filters=[{"Name": "association.subnet-id", "Values": [subnet_id]}]
        )["NetworkAcls"][0]
        association = next(
            a["NetworkAclAssociationId"]
            for a in current["Associations"]
            if a["SubnetId"] == subnet_id
        )
        self.ec2.replace_network_acl_association(AssociationId=association, NetworkAclId=acl)
        self.say(f"  + network ACL {acl} now guards {subnet_id}")
        return acl

    def acl_rule(
        self, acl: str, number: int, egress: bool, action: str, low: int, high: int, cidr: str
    ) -> None:
        """One TCP rule in a network ACL."""
        self.ec2.create_network_acl_entry(
            NetworkAclId=acl,
            RuleNumber=number,
            Protocol="6",
            RuleAction=action,
            Egress=egress,
            CidrBlock=cidr,
            PortRange={"From": low, "To": high},
        )
        way = "out" if egress else "in"
        self.say(f"  + ACL rule {number} {way}: {action} tcp {low}-{high} {cidr}")

    def nat_gateway(self, subnet_id: str) -> tuple[str, str]:
        """An available NAT gateway in the subnet with a new Elastic IP: (id, public address)."""
        address = self.ec2.allocate_address(Domain="vpc")
        made = self.ec2.create_nat_gateway(SubnetId=subnet_id, AllocationId=address["AllocationId"])
        nat_id = str(made["NatGateway"]["NatGatewayId"])
        self.say(f"  + NAT gateway {nat_id} in {subnet_id} with Elastic IP {address['PublicIp']}")
        self.wait(
            lambda: (
                self.ec2.describe_nat_gateways(NatGatewayIds=[nat_id])["NatGateways"][0]["State"]
                == "available"
            )
        )
        return nat_id, str(address["PublicIp"])

    def instance(self, subnet_id: str, name: str, public: bool = False, **extra: Any) -> Any:
        """A running instance in the subnet (optionally with a public IPv4 address)."""
        interface: dict[str, Any] = {"DeviceIndex": 0, "SubnetId": subnet_id}
        if public:
            interface["AssociatePublicIpAddress"] = True
        if "Groups" in extra:
            interface["Groups"] = extra.pop("Groups")
        made = self.ec2.run_instances(
            ImageId=AMI,
            MinCount=1,
            MaxCount=1,
            InstanceType="t3.micro",
            NetworkInterfaces=[interface],
            TagSpecifications=_name("instance", name),
            **extra,
        )["Instances"][0]
        instance_id = made["InstanceId"]
        self.wait(
            lambda: (
                self.ec2.describe_instances(InstanceIds=[instance_id])["Reservations"][0][
                    "Instances"
                ][0]["State"]["Name"]
                == "running"
            )
        )
        found = self.ec2.describe_instances(InstanceIds=[instance_id])
        described = found["Reservations"][0]["Instances"][0]
        public_ip = described.get("PublicIpAddress", "no public IPv4")
        self.say(
            f"  + instance {instance_id} ({name}) {described['PrivateIpAddress']}, {public_ip}"
        )
        return described

    def wait(self, ready: Callable[[], bool], seconds: float = 30.0) -> None:
        """Poll until something settles (a running server makes resources pending first)."""
        deadline = time.monotonic() + seconds
        while not ready():
            if time.monotonic() > deadline:
                raise TimeoutError("a resource did not settle in time")
            time.sleep(0.2)


def _name(resource_type: str, name: str) -> list[dict[str, Any]]:
    """A TagSpecifications list giving a resource a Name tag of the tour."""
    return [{"ResourceType": resource_type, "Tags": [{"Key": "Name", "Value": f"tour-{name}"}]}]


def tcp_permission(port: int, source: str) -> dict[str, Any]:
    """An IpPermissions entry allowing one TCP port from a CIDR or a security group id."""
    permission: dict[str, Any] = {"IpProtocol": "tcp", "FromPort": port, "ToPort": port}
    if source.startswith("sg-"):
        permission["UserIdGroupPairs"] = [{"GroupId": source}]
    else:
        permission["IpRanges"] = [{"CidrIp": source}]
    return permission


def seen_as(result: Trace) -> str | None:
    """The source address the far end sees: the last source rewrite of the forward path."""
    rewrites = [
        step.translation.after
        for hop in result.forward
        for step in hop.steps
        if step.translation is not None and step.translation.field == "source"
    ]
    return rewrites[-1] if rewrites else None

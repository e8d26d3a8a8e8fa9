"""An infrastructure-as-code style build and teardown, in the order Terraform's AWS provider calls."""

from __future__ import annotations

from typing import Any

ZONES = ("us-east-1a", "us-east-1b")


def _counts(ec2: Any, vpc_id: str) -> dict[str, int]:
    """How many resources of each kind still belong to the VPC."""
    by_vpc = [{"Name": "vpc-id", "Values": [vpc_id]}]
    return {
        "subnets": len(ec2.describe_subnets(Filters=by_vpc)["Subnets"]),
        "route_tables": len(ec2.describe_route_tables(Filters=by_vpc)["RouteTables"]),
        "security_groups": len(ec2.describe_security_groups(Filters=by_vpc)["SecurityGroups"]),
        "network_acls": len(ec2.describe_network_acls(Filters=by_vpc)["NetworkAcls"]),
    }


def test_vpc_public_private_two_azs_built_and_torn_down_leaving_nothing(ec2: Any) -> None:
    """Create, describe after each create, wait, then delete in reverse: VPC-25 order holds."""
    before_eips = len(ec2.describe_addresses()["Addresses"])
    vpc_id = ec2.create_vpc(CidrBlock="10.20.0.0/16")["Vpc"]["VpcId"]
    ec2.get_waiter("vpc_available").wait(VpcIds=[vpc_id])
    ec2.describe_vpcs(VpcIds=[vpc_id])
    ec2.modify_vpc_attribute(VpcId=vpc_id, EnableDnsHostnames={"Value": True})
    ec2.describe_vpc_attribute(VpcId=vpc_id, Attribute="enableDnsHostnames")

    igw = ec2.create_internet_gateway()["InternetGateway"]["InternetGatewayId"]
    ec2.attach_internet_gateway(InternetGatewayId=igw, VpcId=vpc_id)
    ec2.describe_internet_gateways(InternetGatewayIds=[igw])

    public, private = [], []
    for index, zone in enumerate(ZONES):
        pub = ec2.create_subnet(
            VpcId=vpc_id, CidrBlock=f"10.20.{index}.0/24", AvailabilityZone=zone
        )
        priv = ec2.create_subnet(
            VpcId=vpc_id, CidrBlock=f"10.20.{index + 10}.0/24", AvailabilityZone=zone
        )
        public.append(pub["Subnet"]["SubnetId"])
        private.append(priv["Subnet"]["SubnetId"])
    ec2.get_waiter("subnet_available").wait(SubnetIds=public + private)
    for subnet in public:
        ec2.modify_subnet_attribute(SubnetId=subnet, MapPublicIpOnLaunch={"Value": True})

    public_rt = ec2.create_route_table(VpcId=vpc_id)["RouteTable"]["RouteTableId"]
    ec2.create_route(RouteTableId=public_rt, DestinationCidrBlock="0.0.0.0/0", GatewayId=igw)
    public_assocs = [
        ec2.associate_route_table(RouteTableId=public_rt, SubnetId=s)["AssociationId"]
        for s in public
    ]

    allocations, nats, private_rts, private_assocs = [], [], [], []
    for pub, priv in zip(public, private, strict=True):
        alloc = ec2.allocate_address(Domain="vpc")["AllocationId"]
        allocations.append(alloc)
        nat = ec2.create_nat_gateway(SubnetId=pub, AllocationId=alloc)["NatGateway"]["NatGatewayId"]
        nats.append(nat)
        rt = ec2.create_route_table(VpcId=vpc_id)["RouteTable"]["RouteTableId"]
        private_rts.append(rt)
        private_assocs.append(
            ec2.associate_route_table(RouteTableId=rt, SubnetId=priv)["AssociationId"]
        )
    ec2.get_waiter("nat_gateway_available").wait(NatGatewayIds=nats)
    for rt, nat in zip(private_rts, nats, strict=True):
        ec2.create_route(RouteTableId=rt, DestinationCidrBlock="0.0.0.0/0", NatGatewayId=nat)
    routes = ec2.describe_route_tables(RouteTableIds=private_rts)["RouteTables"]
    assert all(r["State"] == "active" for table in routes for r in table["Routes"]), (
        "routes to available NAT gateways are active (RT-12)"
    )

    web = ec2.create_security_group(GroupName="web", Description="web tier", VpcId=vpc_id)[
        "GroupId"
    ]
    app = ec2.create_security_group(GroupName="app", Description="app tier", VpcId=vpc_id)[
        "GroupId"
    ]
    ec2.authorize_security_group_ingress(
        GroupId=web,
        IpPermissions=[
            {
                "IpProtocol": "tcp",
                "FromPort": 443,
                "ToPort": 443,
                "IpRanges": [{"CidrIp": "0.0.0.0/0"}],
            }
        ],
    )
    ec2.authorize_security_group_ingress(
        GroupId=app,
        IpPermissions=[
            {
                "IpProtocol": "tcp",
                "FromPort": 8080,
                "ToPort": 8080,
                "UserIdGroupPairs": [{"GroupId": web}],
            }
        ],
    )
    ec2.describe_security_groups(GroupIds=[web, app])

    acl = ec2.create_network_acl(VpcId=vpc_id)["NetworkAcl"]["NetworkAclId"]
    for egress in (False, True):
        ec2.create_network_acl_entry(
            NetworkAclId=acl,
            RuleNumber=100,
            Protocol="-1",
            RuleAction="allow",
            Egress=egress,
            CidrBlock="0.0.0.0/0",
        )
    acls = ec2.describe_network_acls(Filters=[{"Name": "association.subnet-id", "Values": private}])
    acl_assocs = [
        a["NetworkAclAssociationId"]
        for n in acls["NetworkAcls"]
        for a in n["Associations"]
        if a["SubnetId"] in private
    ]
    new_acl_assocs = [
        ec2.replace_network_acl_association(AssociationId=a, NetworkAclId=acl)["NewAssociationId"]
        for a in acl_assocs
    ]
    assert len(new_acl_assocs) == 2

    # Teardown in reverse order; each step would fail with DependencyViolation if out of order.
    default_acl = next(
        n["NetworkAclId"]
        for n in ec2.describe_network_acls(
            Filters=[
                {"Name": "vpc-id", "Values": [vpc_id]},
                {"Name": "default", "Values": ["true"]},
            ]
        )["NetworkAcls"]
    )
    for assoc in new_acl_assocs:
        ec2.replace_network_acl_association(AssociationId=assoc, NetworkAclId=default_acl)
    ec2.delete_network_acl(NetworkAclId=acl)
    ec2.revoke_security_group_ingress(
        GroupId=app,
        IpPermissions=[
            {
                "IpProtocol": "tcp",
                "FromPort": 8080,
                "ToPort": 8080,
                "UserIdGroupPairs": [{"GroupId": web}],
            }
        ],
    )
    ec2.delete_security_group(GroupId=app)
    ec2.delete_security_group(GroupId=web)
    for rt, assoc in zip(private_rts, private_assocs, strict=True):
        ec2.disassociate_route_table(AssociationId=assoc)
        ec2.delete_route_table(RouteTableId=rt)
    for nat in nats:
        ec2.delete_nat_gateway(NatGatewayId=nat)
    ec2.get_waiter("nat_gateway_deleted").wait(NatGatewayIds=nats)
    for alloc in allocations:
        ec2.release_address(AllocationId=alloc)
    for assoc in public_assocs:
        ec2.disassociate_route_table(AssociationId=assoc)
    ec2.delete_route_table(RouteTableId=public_rt)
    for subnet in public + private:
        ec2.delete_subnet(SubnetId=subnet)
    ec2.detach_internet_gateway(InternetGatewayId=igw, VpcId=vpc_id)
    ec2.delete_internet_gateway(InternetGatewayId=igw)
    assert _counts(ec2, vpc_id) == {
        "subnets": 0,
        "route_tables": 1,
        "security_groups": 1,
        "network_acls": 1,
    }, "only the VPC's companions remain (VPC-19)"
    ec2.delete_vpc(VpcId=vpc_id)

    assert vpc_id not in {v["VpcId"] for v in ec2.describe_vpcs()["Vpcs"]}
    assert len(ec2.describe_addresses()["Addresses"]) == before_eips
    assert not ec2.describe_route_tables(Filters=[{"Name": "vpc-id", "Values": [vpc_id]}])[
        "RouteTables"
    ]
    assert not ec2.describe_network_interfaces(Filters=[{"Name": "vpc-id", "Values": [vpc_id]}])[
        "NetworkInterfaces"
    ]

"""RDS in a VPC through boto3: subnet groups over two AZs, private endpoints, public only when
every condition holds (spec SVC-2), answered in-process."""

from __future__ import annotations

from typing import Any

import pytest

from tests.services.world import build_vpc, launch, make_db, open_group, trace
from tests.support import aws_error
from vpclab.control.store import Store
from vpclab.model.state import Clock


@pytest.fixture
def rds(make_client: Any) -> Any:
    """A boto3 RDS client answered in-process."""
    return make_client("rds")


def db_eni(ec2: Any, vpc: str) -> dict[str, Any]:
    """The one requester-managed RDS ENI of the VPC."""
    enis = ec2.describe_network_interfaces(Filters=[{"Name": "vpc-id", "Values": [vpc]}])
    found = [e for e in enis["NetworkInterfaces"] if e["Description"] == "RDSNetworkInterface"]
    assert len(found) == 1
    return dict(found[0])


def test_svc_2_subnet_group_needs_two_azs(ec2: Any, rds: Any) -> None:
    """A DB subnet group in a single AZ is refused with RDS's coverage error."""
    net = build_vpc(ec2)
    code, message = aws_error(
        rds.create_db_subnet_group,
        DBSubnetGroupName="one",
        DBSubnetGroupDescription="one",
        SubnetIds=[net.public[0], net.private[0]],
    )
    assert code == "DBSubnetGroupDoesNotCoverEnoughAZs"
    assert "Current AZ coverage: us-east-1a" in message
    made = rds.create_db_subnet_group(
        DBSubnetGroupName="Two", DBSubnetGroupDescription="two", SubnetIds=net.private
    )["DBSubnetGroup"]
    assert made["DBSubnetGroupName"] == "two"
    assert made["VpcId"] == net.vpc
    assert {s["SubnetAvailabilityZone"]["Name"] for s in made["Subnets"]} == {
        "us-east-1a",
        "us-east-1b",
    }
    code, _ = aws_error(
        rds.create_db_subnet_group,
        DBSubnetGroupName="two",
        DBSubnetGroupDescription="again",
        SubnetIds=net.private,
    )
    assert code == "DBSubnetGroupAlreadyExists"


def test_svc_2_private_instance_endpoint_and_default_port(ec2: Any, rds: Any, clock: Clock) -> None:
    """The endpoint names the instance, the engine's port, and a private ENI with no public IP."""
    net = build_vpc(ec2)
    group = open_group(ec2, net.vpc, 5432)
    clock.settle_seconds = 30.0
    db = make_db(rds, net, group)
    assert db["DBInstanceStatus"] == "creating"
    assert db["Endpoint"]["Port"] == 5432
    assert db["Endpoint"]["Address"].startswith("mydb.")
    assert db["Endpoint"]["Address"].endswith(".us-east-1.rds.amazonaws.com")
    assert db["PubliclyAccessible"] is False
    eni = db_eni(ec2, net.vpc)
    assert eni["RequesterManaged"] is True
    assert eni["SubnetId"] in net.public
    assert "Association" not in eni
    clock.advance(31.0)
    described = rds.describe_db_instances(DBInstanceIdentifier="mydb")["DBInstances"][0]
    assert described["DBInstanceStatus"] == "available"
    assert described["VpcSecurityGroups"] == [{"VpcSecurityGroupId": group, "Status": "active"}]


def test_svc_2_duplicate_and_unknown(ec2: Any, rds: Any) -> None:
    """DBInstanceAlreadyExists, DBSubnetGroupNotFoundFault, DBInstanceNotFound as RDS words them."""
    net = build_vpc(ec2)
    group = open_group(ec2, net.vpc, 3306)
    db = make_db(rds, net, group, Port=3307)
    assert db["Endpoint"]["Port"] == 3307
    code, _ = aws_error(
        rds.create_db_instance,
        DBInstanceIdentifier="MyDb",
        DBInstanceClass="db.t3.micro",
        Engine="mysql",
        DBSubnetGroupName="dbs",
    )
    assert code == "DBInstanceAlreadyExists"
    code, message = aws_error(
        rds.create_db_instance,
        DBInstanceIdentifier="other",
        DBInstanceClass="db.t3.micro",
        Engine="mysql",
        DBSubnetGroupName="nope",
    )
    assert (code, message) == ("DBSubnetGroupNotFoundFault", "DBSubnetGroup 'nope' not found.")
    code, message = aws_error(rds.describe_db_instances, DBInstanceIdentifier="ghost")
    assert (code, message) == ("DBInstanceNotFound", "DBInstance ghost not found.")
    code, _ = aws_error(rds.delete_db_subnet_group, DBSubnetGroupName="dbs")
    assert code == "InvalidDBSubnetGroupStateFault"


def test_svc_2_public_needs_igw_route(ec2: Any, rds: Any) -> None:
    """PubliclyAccessible in subnets with no route to the IGW: InvalidVPCNetworkStateFault."""
    net = build_vpc(ec2, routed=False)
    group = open_group(ec2, net.vpc, 5432)
    code, _ = aws_error(make_db, rds, net, group, public=True)
    assert code == "InvalidVPCNetworkStateFault"
    assert (
        ec2.describe_network_interfaces(
            Filters=[{"Name": "description", "Values": ["RDSNetworkInterface"]}]
        )["NetworkInterfaces"]
        == []
    )


def test_svc_2_public_needs_dns_hostnames(ec2: Any, rds: Any) -> None:
    """PubliclyAccessible in a VPC without DNS hostnames: InvalidVPCNetworkStateFault."""
    net = build_vpc(ec2, dns_hostnames=False)
    group = open_group(ec2, net.vpc, 5432)
    code, message = aws_error(make_db, rds, net, group, public=True)
    assert code == "InvalidVPCNetworkStateFault"
    assert "DNS hostnames" in message


def test_svc_2_reachable_from_internet_only_when_public(ec2: Any, rds: Any, store: Store) -> None:
    """Private: the internet cannot reach it; public: it can on its port (its SG still decides)."""
    net = build_vpc(ec2)
    group = open_group(ec2, net.vpc, 5432)
    make_db(rds, net, group)
    eni = db_eni(ec2, net.vpc)["NetworkInterfaceId"]
    assert not trace(store, "internet", eni, 5432).reachable
    rds.modify_db_instance(DBInstanceIdentifier="mydb", PubliclyAccessible=True)
    public = db_eni(ec2, net.vpc)
    assert public["Association"]["PublicIp"]
    assert trace(store, "internet", eni, 5432).reachable
    assert not trace(store, "internet", eni, 22).reachable


def test_svc_2_reachable_from_instance_when_group_admits(ec2: Any, rds: Any, store: Store) -> None:
    """An instance in the VPC reaches the DB on its port only while the DB's group admits it."""
    net = build_vpc(ec2)
    closed = ec2.create_security_group(GroupName="db", Description="db", VpcId=net.vpc)["GroupId"]
    make_db(rds, net, closed)
    eni = db_eni(ec2, net.vpc)["NetworkInterfaceId"]
    client_group = open_group(ec2, net.vpc, 22, name="app")
    instance = launch(ec2, net.private[0], client_group)
    assert not trace(store, instance, eni, 5432).reachable
    ec2.authorize_security_group_ingress(
        GroupId=closed, IpProtocol="tcp", FromPort=5432, ToPort=5432, CidrIp="10.0.0.0/16"
    )
    assert trace(store, instance, eni, 5432).reachable


def test_eni_8_db_eni_blocks_subnet_and_group_deletion(ec2: Any, rds: Any) -> None:
    """SUB-14 / SG-20: the DB's ENI blocks deleting its subnet and group until the DB is deleted."""
    net = build_vpc(ec2)
    group = open_group(ec2, net.vpc, 5432)
    make_db(rds, net, group)
    eni = db_eni(ec2, net.vpc)
    code, _ = aws_error(ec2.delete_subnet, SubnetId=eni["SubnetId"])
    assert code == "DependencyViolation"
    code, _ = aws_error(ec2.delete_security_group, GroupId=group)
    assert code == "DependencyViolation"
    code, _ = aws_error(ec2.delete_network_interface, NetworkInterfaceId=eni["NetworkInterfaceId"])
    assert code == "OperationNotPermitted"
    deleted = rds.delete_db_instance(DBInstanceIdentifier="mydb", SkipFinalSnapshot=True)
    assert deleted["DBInstance"]["DBInstanceStatus"] == "deleting"
    ec2.delete_subnet(SubnetId=eni["SubnetId"])
    ec2.delete_security_group(GroupId=group)
    assert rds.describe_db_instances()["DBInstances"] == []


@pytest.mark.parametrize("identifier", ["dé", "1db", "db--a", "db-", "d" * 64])
def test_db_identifier_refused_unless_ascii_letter_first_no_double_or_trailing_hyphen(
    ec2: Any, rds: Any, identifier: str
) -> None:
    """RDS identifiers: 1-63 ASCII letters, digits or hyphens, a letter first, no '--', no hyphen
    at the end (a non-ASCII letter such as 'é' is refused like any other character)."""
    net = build_vpc(ec2)
    group = open_group(ec2, net.vpc, 5432)
    code, message = aws_error(make_db, rds, net, group, identifier=identifier)
    assert code == "InvalidParameterValue"
    assert "ASCII letters" in message

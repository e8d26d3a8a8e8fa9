"""The console's side panel and map for managed services and flow logs: RDS DB instances and
subnet groups, ElastiCache clusters and subnet groups and Lambda functions (named by their ARN)
are answered by their own service's read operation, flow logs and prefix lists by EC2's, and
the topology lists each service in its VPC with the ENIs it uses. Built in-process through boto3
and read through the console's HTTP endpoints."""

from __future__ import annotations

import urllib.parse
from dataclasses import dataclass
from typing import Any

import pytest

from tests.console.test_api import wire_form
from tests.services.test_http_routing import call
from tests.services.world import Vpc, build_vpc, make_cluster, make_db, make_function, open_group
from vpclab.api.dispatch import Api
from vpclab.server import console_api
from vpclab.server.app import App

ACCOUNT, REGION = "123456789012", "us-east-1"


@dataclass
class Services:
    """The app serving the console and the clients and ids of what the test built."""

    app: App
    ec2: Any
    rds: Any
    cache: Any
    lam: Any
    net: Vpc
    group: str
    db_arn: str
    cluster_arn: str
    function_arn: str


@pytest.fixture
def services(api: Api, ec2: Any, make_client: Any) -> Services:
    """A VPC with an RDS instance, a two-node memcached cluster and a VPC Lambda function."""
    net = build_vpc(ec2)
    group = open_group(ec2, net.vpc, 5432)
    rds, cache, lam = make_client("rds"), make_client("elasticache"), make_client("lambda")
    db = make_db(rds, net, group)
    make_cluster(cache, net, group, nodes=2)
    fn = make_function(lam, "worker", net.private, [group])
    (cluster,) = cache.describe_cache_clusters()["CacheClusters"]
    app = App(api, ":memory:")
    console_api.install(app)
    return Services(
        app,
        ec2,
        rds,
        cache,
        lam,
        net,
        group,
        db["DBInstanceArn"],
        cluster["ARN"],
        fn["FunctionArn"],
    )


def get(app: App, endpoint: str, **query: str) -> tuple[int, dict[str, Any]]:
    """GET a console endpoint in-process: its status and JSON body."""
    return call(app, "GET", f"/_vpclab/api/{endpoint}", urllib.parse.urlencode(query).encode())


def drawn_vpc(services: Services) -> dict[str, Any]:
    """The test VPC as the topology lists it (the partition also holds the default VPC)."""
    (vpc,) = [v for v in get(services.app, "topology")[1]["vpcs"] if v["id"] == services.net.vpc]
    return dict(vpc)


def panel(app: App, resource_id: str) -> dict[str, Any]:
    """What the side panel shows for an id or ARN (asserting it was found)."""
    status, body = get(app, "resource", id=resource_id)
    assert status == 200, body
    assert body["id"] == resource_id
    return body


def test_svc_resources_are_their_own_services_describe(services: Services) -> None:
    """Each service resource's panel is exactly its service's Describe item for that name."""
    rds, cache = services.rds, services.cache
    (db,) = rds.describe_db_instances(DBInstanceIdentifier="mydb")["DBInstances"]
    (db_group,) = rds.describe_db_subnet_groups(DBSubnetGroupName="dbs")["DBSubnetGroups"]
    (cluster,) = cache.describe_cache_clusters(CacheClusterId="mc", ShowCacheNodeInfo=True)[
        "CacheClusters"
    ]
    (cache_group,) = cache.describe_cache_subnet_groups(CacheSubnetGroupName="cache")[
        "CacheSubnetGroups"
    ]
    function = services.lam.get_function_configuration(FunctionName="worker")
    function.pop("ResponseMetadata")
    cases = [
        ("db-instance", db["DBInstanceArn"], db),
        ("db-subnet-group", db_group["DBSubnetGroupArn"], db_group),
        ("cache-cluster", cluster["ARN"], cluster),
        ("cache-subnet-group", cache_group["ARN"], cache_group),
        ("lambda-function", function["FunctionArn"], function),
    ]
    for kind, arn, described in cases:
        shown = panel(services.app, arn)
        assert shown["kind"] == kind
        assert shown["describe"] == wire_form(described), kind
    assert len(panel(services.app, cluster["ARN"])["describe"]["CacheNodes"]) == 2


def test_flow_logs_and_prefix_lists_are_ec2_describe_items(services: Services) -> None:
    """A subnet's flow log and a managed prefix list answer as DescribeFlowLogs and
    DescribeManagedPrefixLists list them; the topology lists the flow log in its VPC."""
    ec2, subnet = services.ec2, services.net.private[0]
    (flow_log,) = ec2.create_flow_logs(
        ResourceIds=[subnet],
        ResourceType="Subnet",
        TrafficType="REJECT",
        LogDestinationType="s3",
        LogDestination="arn:aws:s3:::flow-bucket",
    )["FlowLogIds"]
    prefix_list = ec2.create_managed_prefix_list(
        PrefixListName="office", MaxEntries=2, AddressFamily="IPv4"
    )["PrefixList"]["PrefixListId"]
    (described,) = ec2.describe_flow_logs(FlowLogIds=[flow_log])["FlowLogs"]
    shown = panel(services.app, flow_log)
    assert (shown["kind"], shown["describe"]) == ("vpc-flow-log", wire_form(described))
    (listed,) = ec2.describe_managed_prefix_lists(PrefixListIds=[prefix_list])["PrefixLists"]
    assert panel(services.app, prefix_list)["describe"] == wire_form(listed)
    vpc = drawn_vpc(services)
    assert vpc["flow_logs"] == [
        {
            "id": flow_log,
            "resource_id": subnet,
            "traffic_type": "REJECT",
            "destination": "arn:aws:s3:::flow-bucket",
        }
    ]


def test_svc_1_svc_2_lam_1_topology_lists_services_with_their_enis(services: Services) -> None:
    """The VPC lists its database, cache cluster and function by ARN, each with the ENIs its
    service placed (RDS: one, SVC-2; memcached: one per node, SVC-1; Lambda: the Hyperplane ENI
    of its subnet and groups, LAM-1) and its subnet group's ARN."""
    vpc = drawn_vpc(services)
    listed = {service["id"]: service for service in vpc["services"]}
    assert set(listed) == {services.db_arn, services.cluster_arn, services.function_arn}
    enis = services.ec2.describe_network_interfaces()["NetworkInterfaces"]

    def placed(predicate: Any) -> list[str]:
        """The ids of the ENIs Describe shows that match."""
        return sorted(e["NetworkInterfaceId"] for e in enis if predicate(e))

    db, cluster, function = (
        listed[services.db_arn],
        listed[services.cluster_arn],
        listed[services.function_arn],
    )
    assert db["eni_ids"] == placed(lambda e: e.get("RequesterId") == "amazon-rds")
    assert cluster["eni_ids"] == placed(lambda e: e.get("RequesterId") == "amazon-elasticache")
    assert len(cluster["eni_ids"]) == 2
    assert function["eni_ids"] == placed(lambda e: e["InterfaceType"] == "lambda")
    assert (db["name"], db["status"], db["detail"]) == ("mydb", "available", "RDS postgres")
    assert (function["kind"], function["status"]) == ("lambda-function", "Active")
    group_arn = services.rds.describe_db_subnet_groups()["DBSubnetGroups"][0]["DBSubnetGroupArn"]
    assert db["subnet_group_id"] == group_arn
    assert function["subnet_group_id"] is None
    assert db["security_group_ids"] == cluster["security_group_ids"] == [services.group]
    assert function["security_group_ids"] == [services.group]
    assert panel(services.app, db["subnet_group_id"])["kind"] == "db-subnet-group"


def test_services_gone_leave_the_topology_and_their_panels_answer_their_not_found_codes(
    services: Services,
) -> None:
    """A deleted function and an unknown database/cluster/group answer their service's own
    not-found code (404); an ARN of another region is 400; an unknown flow log is InvalidID."""
    services.lam.delete_function(FunctionName="worker")
    vpc = drawn_vpc(services)
    assert services.function_arn not in {service["id"] for service in vpc["services"]}
    prefix = f"{ACCOUNT}:"
    cases = {
        services.function_arn: (404, "ResourceNotFoundException"),
        f"arn:aws:rds:{REGION}:{prefix}db:nodb": (404, "DBInstanceNotFound"),
        f"arn:aws:rds:{REGION}:{prefix}subgrp:nogroup": (404, "DBSubnetGroupNotFoundFault"),
        f"arn:aws:elasticache:{REGION}:{prefix}cluster:nocluster": (404, "CacheClusterNotFound"),
        f"arn:aws:elasticache:{REGION}:{prefix}subnetgroup:none": (
            404,
            "CacheSubnetGroupNotFoundFault",
        ),
        services.db_arn.replace(REGION, "eu-west-1"): (400, "InvalidParameterValue"),
        f"arn:aws:s3:::{prefix}bucket": (404, "InvalidID"),
        "fl-0123456789abcdef0": (404, "InvalidID"),
    }
    for arn, expected in cases.items():
        status, body = get(services.app, "resource", id=arn)
        assert (status, body["error"]["code"]) == expected, arn

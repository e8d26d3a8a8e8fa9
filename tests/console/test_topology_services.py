"""The topology names the managed service behind each requester-managed ENI (RDS, ElastiCache,
Lambda), as DescribeNetworkInterfaces shows them, on a network built in-process through boto3."""

from __future__ import annotations

from typing import Any

from tests.services.world import build_vpc, make_cluster, make_db, make_function, open_group
from vpclab.api.console_views import LiveVersions, Snapshot, topology
from vpclab.control.store import Store


def test_topology_draws_service_enis_as_their_service(
    ec2: Any, make_client: Any, store: Store
) -> None:
    """Every ENI a service placed carries that service; the instance's and NAT's carry none."""
    net = build_vpc(ec2)
    group = open_group(ec2, net.vpc, 5432)
    make_db(make_client("rds"), net, group)
    make_cluster(make_client("elasticache"), net, group, nodes=2)
    make_function(make_client("lambda"), "worker", net.private, [group])
    drawn = topology(Snapshot.of(store), "123456789012", "us-east-1", LiveVersions())
    services = {
        eni["id"]: eni["service"]
        for vpc in drawn["vpcs"]
        for az in vpc["azs"]
        for subnet in az["subnets"]
        for eni in subnet["enis"]
    }
    described = ec2.describe_network_interfaces()["NetworkInterfaces"]
    assert set(services) == {e["NetworkInterfaceId"] for e in described}
    by_requester = {
        "amazon-rds": "rds",
        "amazon-elasticache": "elasticache",
    }
    for eni in described:
        expected = "lambda" if eni["InterfaceType"] == "lambda" else None
        expected = by_requester.get(eni.get("RequesterId", ""), expected)
        assert services[eni["NetworkInterfaceId"]] == expected, eni["Description"]
    assert sorted(s for s in services.values() if s) == [
        "elasticache",
        "elasticache",
        "lambda",
        "lambda",
        "rds",
    ]

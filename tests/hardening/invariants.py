"""Whole-state invariants the hardening tests check after storms, crashes and races."""

from __future__ import annotations

import ipaddress
from collections import defaultdict
from typing import Any


def assert_state_consistent(ec2: Any) -> dict[str, Any]:
    """Every VPC whole (main route table, default NACL, default SG) and every subnet sound."""
    vpcs = {vpc["VpcId"]: vpc for vpc in ec2.describe_vpcs()["Vpcs"]}
    main_tables: dict[str, int] = defaultdict(int)
    for table in ec2.describe_route_tables()["RouteTables"]:
        if any(assoc.get("Main") for assoc in table.get("Associations", [])):
            main_tables[table["VpcId"]] += 1
    default_acls: dict[str, int] = defaultdict(int)
    for acl in ec2.describe_network_acls()["NetworkAcls"]:
        if acl["IsDefault"]:
            default_acls[acl["VpcId"]] += 1
    default_groups: dict[str, int] = defaultdict(int)
    for group in ec2.describe_security_groups()["SecurityGroups"]:
        if group["GroupName"] == "default":
            default_groups[group["VpcId"]] += 1
    for vpc_id in vpcs:
        assert main_tables[vpc_id] == 1, f"{vpc_id} has {main_tables[vpc_id]} main route tables"
        assert default_acls[vpc_id] == 1, f"{vpc_id} has {default_acls[vpc_id]} default NACLs"
        assert default_groups[vpc_id] == 1, f"{vpc_id} has {default_groups[vpc_id]} default SGs"
    subnets = ec2.describe_subnets()["Subnets"]
    by_vpc: dict[str, list[ipaddress.IPv4Network]] = defaultdict(list)
    for subnet in subnets:
        assert subnet["VpcId"] in vpcs, f"{subnet['SubnetId']} outlives its VPC"
        network = ipaddress.IPv4Network(subnet["CidrBlock"])
        for other in by_vpc[subnet["VpcId"]]:
            assert not network.overlaps(other), f"{network} overlaps {other} in {subnet['VpcId']}"
        by_vpc[subnet["VpcId"]].append(network)
    return {"vpcs": vpcs, "subnets": {s["SubnetId"]: s for s in subnets}}


def tags_of(resource: dict[str, Any]) -> dict[str, str]:
    """A described resource's tags as a plain mapping."""
    return {tag["Key"]: tag["Value"] for tag in resource.get("Tags", [])}

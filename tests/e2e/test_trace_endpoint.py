"""`vpclab trace --endpoint`: the CLI reads a running server's state over loopback."""

from __future__ import annotations

import json
from typing import Any

from tests.e2e.test_server import ec2_client, running_server
from tests.scenarios import world as w
from vpclab.cli.main import main


def test_trace_against_running_server(capsys: Any) -> None:
    """Build through HTTP, then trace through GET /_vpclab/api/state: exit 0 and 1."""
    with running_server("--in-memory", "--settle-seconds", "0") as endpoint:
        ec2 = ec2_client(endpoint)
        vpc = w.vpc(ec2)
        sub = w.subnet(ec2, vpc, "10.0.1.0/24")
        igw = w.internet_gateway(ec2, vpc)
        ec2.create_route(
            RouteTableId=w.table_of(ec2, sub), DestinationCidrBlock="0.0.0.0/0", GatewayId=igw
        )
        web = w.instance(ec2, sub, w.open_group(ec2, vpc, "web", (443,)), public=True)
        account = ec2_client(endpoint).describe_vpcs()["Vpcs"][0]["OwnerId"]
        base = ["trace", "internet", web, "--endpoint", endpoint, "--account", account]
        assert main([*base, "--port", "443"]) == 0
        assert main([*base, "--port", "22", "--json"]) == 1
        out = capsys.readouterr().out
        data = json.loads(out[out.index("{") :])
        assert [e["code"] for e in data["explanations"]] == ["ENI_SG_RULES_MISMATCH"]

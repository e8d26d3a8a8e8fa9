"""Chapter 1 uses the services to show what public and private subnets are for (issue #10):
each verdict the chapter claims is traced again here, independently, on the state it built."""

from __future__ import annotations

from typing import Any

import pytest

from vpclab.network import Network
from vpclab.tour.chapters import CHAPTERS
from vpclab.tour.lab import Lab, seen_as
from vpclab.tour.runner import run_chapters


@pytest.fixture(scope="module")
def built() -> Lab:
    """Chapter 1 run once on a fresh in-process network, quietly; the lab keeps its clients."""
    network = Network()
    lab = Lab(
        ec2=network.client(),
        tracer=network.trace,
        say=lambda _line: None,
        service_client=network.client,
    )
    run_chapters(lab, CHAPTERS[:1])
    return lab


def _enis(lab: Lab) -> list[dict[str, Any]]:
    """Every network interface of the state."""
    return list(lab.ec2.describe_network_interfaces()["NetworkInterfaces"])


def _eni(lab: Lab, description: str) -> dict[str, Any]:
    """The one ENI of the state whose description starts as given."""
    found = [e for e in _enis(lab) if e["Description"].startswith(description)]
    assert len(found) == 1, found
    return found[0]


def _web(lab: Lab) -> str:
    """The chapter's web server."""
    return str(
        lab.ec2.describe_instances(Filters=[{"Name": "tag:Name", "Values": ["tour-ch1-web"]}])[
            "Reservations"
        ][0]["Instances"][0]["InstanceId"]
    )


def test_chapter_1_every_fact_held(built: Lab) -> None:
    """The chapter's own claims all held, one per service case and more."""
    assert [f.claim for f in built.facts if not f.held] == []
    assert len(built.facts) >= 10


def test_svc_1_chapter_1_cache_node_private_only_reached_from_web_not_internet(
    built: Lab,
) -> None:
    """SVC-1: the cache's group admits 0.0.0.0/0, yet only the web server reaches 6379."""
    node = _eni(built, "ElastiCache ch1-cache-")
    assert "Association" not in node
    assert not built.tracer("internet", node["NetworkInterfaceId"], port=6379).reachable
    assert built.tracer(_web(built), node["NetworkInterfaceId"], port=6379).reachable


def test_lam_3_chapter_1_function_out_only_through_nat(built: Lab) -> None:
    """LAM-3: no public address on either function ENI; only the NAT-routed one gets out."""
    enis = [e for e in _enis(built) if e["InterfaceType"] == "lambda"]
    assert len(enis) == 2 and all("Association" not in e for e in enis)
    nat = built.ec2.describe_nat_gateways()["NatGateways"][0]
    nat_ip = nat["NatGatewayAddresses"][0]["PublicIp"]
    verdicts = {}
    for eni in enis:
        result = built.tracer(eni["NetworkInterfaceId"], "internet", port=443)
        verdicts[eni["PrivateIpAddress"].split(".")[2]] = (result.reachable, seen_as(result))
    assert verdicts == {"1": (False, None), "11": (True, nat_ip)}


def test_lam_2_chapter_1_nothing_connects_to_a_function(built: Lab) -> None:
    """LAM-2: the function's group admits 443 from the VPC, yet the web server cannot open a
    connection to either of its interfaces."""
    web = _web(built)
    enis = [e["NetworkInterfaceId"] for e in _enis(built) if e["InterfaceType"] == "lambda"]
    assert [built.tracer(web, eni, port=443).reachable for eni in enis] == [False, False]


def test_svc_2_chapter_1_database_public_and_admitted_only_from_web(built: Lab) -> None:
    """SVC-2: the DB ends public with a public IP, but its group admits only the web tier."""
    db = _eni(built, "RDSNetworkInterface")
    assert db["Association"]["PublicIp"]
    described = built.client("rds").describe_db_instances(DBInstanceIdentifier="ch1-db")
    assert described["DBInstances"][0]["PubliclyAccessible"] is True
    outside = built.tracer("internet", db["NetworkInterfaceId"], port=5432)
    assert not outside.reachable and "ENI_SG_RULES_MISMATCH" in outside.codes
    assert built.tracer(_web(built), db["NetworkInterfaceId"], port=5432).reachable
    refused = [f for f in built.facts if "refuses a public database" in f.claim]
    assert [f.observed for f in refused] == ["InvalidVPCNetworkStateFault"]

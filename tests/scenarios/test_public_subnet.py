"""Scenario: a web server in a public subnet (VPC with an IGW, a public IP, an open SG)."""

from __future__ import annotations

from typing import Any

from tests.scenarios import world as w
from vpclab.control.store import Store


def _public_web(ec2: Any) -> tuple[str, str, str, str]:
    """VPC, public subnet routing 0.0.0.0/0 to an IGW, web instance with a public IP."""
    vpc = w.vpc(ec2)
    sub = w.subnet(ec2, vpc, "10.0.1.0/24")
    igw = w.internet_gateway(ec2, vpc)
    ec2.create_route(
        RouteTableId=w.table_of(ec2, sub), DestinationCidrBlock="0.0.0.0/0", GatewayId=igw
    )
    web = w.instance(ec2, sub, w.open_group(ec2, vpc, "web"), public=True)
    return vpc, sub, igw, web


def test_igw_6_internet_reaches_web_server_through_one_to_one_nat(ec2: Any, store: Store) -> None:
    """Inbound 443 from the internet is translated to the private IP and admitted by SG and NACL."""
    _, _, igw, web = _public_web(ec2)
    result = w.trace_on(store, "internet", web, destination_port=443)
    assert result.reachable, result.explanations
    kinds = [h.component.kind for h in result.forward]
    assert kinds[0] == "internet-gateway" and kinds[-1] == "instance"
    translation = result.forward[0].steps[-1].translation
    assert translation is not None and translation.after == w.private_ip(ec2, web)
    assert [r.rule_number for r in w.deciding(result, "acl")][:1] == [100]
    assert result.reverse[-1].component.id == igw


def test_igw_7_web_server_reaches_internet(ec2: Any, store: Store) -> None:
    """Outbound from the web server goes out the IGW with its public address as source."""
    _, _, igw, web = _public_web(ec2)
    result = w.trace_on(store, web, "internet", destination_port=443)
    assert result.reachable, result.explanations
    assert any(h.component.id == igw for h in result.forward)


def test_sg_3_unlisted_port_is_eni_sg_rules_mismatch(ec2: Any, store: Store) -> None:
    """Port 3306 has no ingress rule: ENI_SG_RULES_MISMATCH at the instance."""
    _, _, _, web = _public_web(ec2)
    result = w.trace_on(store, "internet", web, destination_port=3306)
    assert not result.reachable
    assert result.codes == ("ENI_SG_RULES_MISMATCH",)


def test_igw_8_instance_without_public_ip_has_no_way_out(ec2: Any, store: Store) -> None:
    """No public IPv4: IGW_PUBLIC_IP_ASSOCIATION_FOR_EGRESS."""
    vpc, sub, _, _ = _public_web(ec2)
    private = w.instance(ec2, sub, w.open_group(ec2, vpc, "p"), public=False)
    result = w.trace_on(store, private, "internet", destination_port=443)
    assert "IGW_PUBLIC_IP_ASSOCIATION_FOR_EGRESS" in result.codes

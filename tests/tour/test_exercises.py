"""`vpclab tour check`: an exercise is solved only when its traces say so; otherwise it says why."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from vpclab.cli.main import main
from vpclab.control.store import Store
from vpclab.model.state import Clock
from vpclab.network import Network
from vpclab.tour.exercises import EXERCISES, check
from vpclab.tour.lab import Lab


def _private_worker(lab: Lab, name: str) -> tuple[str, str, str, Any]:
    """A VPC with a public subnet, a private subnet with its own table, and a named instance."""
    vpc = lab.vpc("10.50.0.0/16", "ex")
    public = lab.public_subnet(vpc, "10.50.1.0/24", "ex-public")
    private = lab.subnet(vpc, "10.50.2.0/24", "ex-private")
    table = lab.route_table(vpc, private, "ex-private-rt")
    instance = lab.ec2.run_instances(
        ImageId="ami-0123456789abcdef0",
        MinCount=1,
        MaxCount=1,
        SubnetId=private,
        TagSpecifications=[{"ResourceType": "instance", "Tags": [{"Key": "Name", "Value": name}]}],
    )["Instances"][0]
    return vpc, public, table, instance


def test_exercise_5_reports_the_missing_instance(lab: Lab) -> None:
    """Nothing built yet: the check names the instance it looks for."""
    assert check(lab, EXERCISES[4]) == [
        "expected one running instance tagged Name=ex5-private, found 0"
    ]


def test_exercise_5_unsolved_until_the_nat_route_exists_then_solved(lab: Lab) -> None:
    """NAT gateway without a route: still wrong, naming the blocking route table; then solved."""
    _vpc, public, table, _instance = _private_worker(lab, "ex5-private")
    address = lab.ec2.allocate_address(Domain="vpc")
    nat = lab.ec2.create_nat_gateway(SubnetId=public, AllocationId=address["AllocationId"])
    problems = check(lab, EXERCISES[4])
    assert len(problems) == 1 and "cannot reach the internet" in problems[0]
    assert table in problems[0]
    lab.route(table, "0.0.0.0/0", NatGatewayId=nat["NatGateway"]["NatGatewayId"])
    assert check(lab, EXERCISES[4]) == []


def test_exercise_5_rejects_a_nat_instance_in_place_of_a_nat_gateway(lab: Lab) -> None:
    """Reaching out through a NAT instance is not the NAT gateway the exercise asks for."""
    _vpc, public, table, _instance = _private_worker(lab, "ex5-private")
    router = lab.instance(public, "router", public=True)
    lab.ec2.modify_instance_attribute(
        InstanceId=router["InstanceId"], SourceDestCheck={"Value": False}
    )
    lab.route(table, "0.0.0.0/0", InstanceId=router["InstanceId"])
    problems = check(lab, EXERCISES[4])
    assert problems == [
        f"ex5-private is seen as {router['PublicIpAddress']}, not as a NAT gateway's address"
    ]


def test_exercise_7_says_what_is_wrong_until_replies_are_allowed(lab: Lab) -> None:
    """Default ACL, then an own ACL without ephemeral ports out, then solved."""
    vpc = lab.vpc("10.70.0.0/16", "ex7")
    web_subnet = lab.subnet(vpc, "10.70.1.0/24", "ex7-web")
    client_subnet = lab.subnet(vpc, "10.70.2.0/24", "ex7-client")
    lab.instance(web_subnet, "x")
    lab.ec2.create_tags(
        Resources=[lab.instance(web_subnet, "w")["InstanceId"]],
        Tags=[{"Key": "Name", "Value": "ex7-web"}],
    )
    lab.ec2.create_tags(
        Resources=[lab.instance(client_subnet, "c")["InstanceId"]],
        Tags=[{"Key": "Name", "Value": "ex7-client"}],
    )
    problems = check(lab, EXERCISES[6])
    assert any("still uses the default network ACL" in p for p in problems)
    assert any("tcp/22 is reachable but must not be" in p for p in problems)
    acl = lab.custom_acl(vpc, web_subnet)
    lab.acl_rule(acl, 100, False, "allow", 80, 80, "10.70.0.0/16")
    lab.acl_rule(acl, 100, True, "allow", 80, 80, "10.70.0.0/16")
    problems = check(lab, EXERCISES[6])
    assert len(problems) == 1 and "tcp/80 is not reachable" in problems[0]
    assert acl in problems[0]
    lab.acl_rule(acl, 110, True, "allow", 1024, 65535, "10.70.0.0/16")
    assert check(lab, EXERCISES[6]) == []


def test_tour_check_against_a_state_file_exits_1_and_lists_what_is_wrong(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """The command reads a state file and says per exercise what is still missing."""
    path = tmp_path / "state.db"
    Network(Store(str(path), clock=Clock(settle_seconds=0.0))).client().create_vpc(
        CidrBlock="10.9.0.0/16"
    )
    assert main(["tour", "check", "--chapter", "5", "--chapter", "7", "--state", str(path)]) == 1
    out = capsys.readouterr().out
    assert "Exercise 5 (Internet gateway and NAT): not solved yet" in out
    assert "Name=ex7-web" in out


def test_tour_check_without_a_server_is_a_clear_error(capsys: pytest.CaptureFixture[str]) -> None:
    """No server listening: exit 2 with a message, no traceback."""
    assert main(["tour", "check", "--endpoint", "http://127.0.0.1:9"]) == 2
    assert "cannot read http://127.0.0.1:9" in capsys.readouterr().err

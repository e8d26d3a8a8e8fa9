"""`vpclab cost`: NAT gateway hours and data, public IPv4 addresses, from the prices file."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from vpclab.cli.main import main
from vpclab.control.store import Store
from vpclab.model.state import Clock
from vpclab.network import Network
from vpclab.tour.cost import estimate, load_prices


def _default_subnet(ec2: Any) -> str:
    """A default subnet (public: instances there get a public IPv4 address)."""
    return str(
        ec2.describe_subnets(Filters=[{"Name": "default-for-az", "Values": ["true"]}])["Subnets"][
            0
        ]["SubnetId"]
    )


def test_prices_file_has_date_region_and_the_spec_nat_prices_marked_unverified() -> None:
    """NAT-18 / AMB-29: $0.045 an hour and per GB in us-east-1, not confirmed from AWS."""
    table = load_prices()
    assert table.region == "us-east-1" and table.date and table.hours_per_month == 730
    for name in ("nat_gateway_hour", "nat_gateway_gb_processed"):
        assert table.prices[name].usd == 0.045 and not table.prices[name].verified
    assert table.prices["public_ipv4_address_hour"].usd == 0.005


def test_nat_18_estimate_charges_nat_hours_data_and_every_public_ipv4() -> None:
    """One NAT gateway, two EIPs (one on the NAT), one auto-assigned public IP, 100 GB."""
    ec2 = Network().client()
    subnet = _default_subnet(ec2)
    nat_address = ec2.allocate_address(Domain="vpc")
    ec2.allocate_address(Domain="vpc")
    ec2.create_nat_gateway(SubnetId=subnet, AllocationId=nat_address["AllocationId"])
    ec2.run_instances(ImageId="ami-0123456789abcdef0", MinCount=1, MaxCount=1, SubnetId=subnet)
    lines = {line.item: line for line in estimate(ec2, load_prices(), nat_gb=100)}
    assert lines["NAT gateway hours"].usd == pytest.approx(730 * 0.045)
    assert lines["NAT gateway data processed"].usd == pytest.approx(100 * 0.045)
    assert lines["Public IPv4 address hours"].quantity == 3 * 730
    assert lines["Public IPv4 address hours"].usd == pytest.approx(3 * 730 * 0.005)


def test_deleted_nat_gateway_costs_nothing_and_no_data_without_one() -> None:
    """A deleted NAT gateway is not billed; assumed NAT data costs nothing without a gateway."""
    ec2 = Network().client()
    address = ec2.allocate_address(Domain="vpc")
    nat = ec2.create_nat_gateway(
        SubnetId=_default_subnet(ec2), AllocationId=address["AllocationId"]
    )
    ec2.delete_nat_gateway(NatGatewayId=nat["NatGateway"]["NatGatewayId"])
    lines = {line.item: line for line in estimate(ec2, load_prices(), nat_gb=50)}
    assert lines["NAT gateway hours"].usd == 0
    assert lines["NAT gateway data processed"].usd == 0
    assert lines["Public IPv4 address hours"].quantity == 730


def test_cost_command_on_a_state_file_prints_date_region_and_total(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """The command reads a state file and prints the estimate with the prices' date and region."""
    path = tmp_path / "state.db"
    Network(Store(str(path), clock=Clock(settle_seconds=0.0))).client().allocate_address(
        Domain="vpc"
    )
    assert main(["cost", "--state", str(path)]) == 0
    out = capsys.readouterr().out
    assert f"Prices: us-east-1 as of {load_prices().date}" in out
    assert out.splitlines()[-2].split() == ["Total", "$", "3.65"]
    assert all(len(line) <= 80 for line in out.splitlines())


def test_cost_command_without_a_server_is_a_clear_error(capsys: pytest.CaptureFixture[str]) -> None:
    """No server listening: exit 2 with a message."""
    assert main(["cost", "--endpoint", "http://127.0.0.1:9"]) == 2
    assert "cannot read http://127.0.0.1:9" in capsys.readouterr().err


def test_cost_command_prices_an_export_directory_as_its_state_file(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """An offline export (`aws ec2 describe-*` layout) of account 111111111111 is priced like the
    state it came from, in the export's own account, with nothing to name on the command line."""
    path = tmp_path / "state.db"
    ec2 = Network(Store(str(path), clock=Clock(settle_seconds=0.0))).client(account="111111111111")
    subnet = _default_subnet(ec2)
    nat_address = ec2.allocate_address(Domain="vpc")
    ec2.create_nat_gateway(SubnetId=subnet, AllocationId=nat_address["AllocationId"])
    assert main(["cost", "--state", str(path), "--account", "111111111111"]) == 0
    from_file = capsys.readouterr().out
    assert main(["export", str(tmp_path / "export"), "--state", str(path), "--all"]) == 0
    capsys.readouterr()

    assert main(["cost", "--state", str(tmp_path / "export")]) == 0
    from_export = capsys.readouterr().out
    assert "111111111111" in from_export
    assert "NAT gateway hours" in from_export
    assert from_export.splitlines()[-2] == from_file.splitlines()[-2]  # the same total

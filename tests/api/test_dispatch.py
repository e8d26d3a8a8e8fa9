"""Request handling around the handlers: DryRun, unknown actions and parameters, bugs."""

from __future__ import annotations

import logging
from typing import Any

import pytest
from botocore.exceptions import ClientError

from tests.support import aws_error, raw_call
from vpclab.api import registry
from vpclab.api.context import RequestContext
from vpclab.api.dispatch import Api

VERSION = "2016-11-15"


def vpc_count(ec2: Any) -> int:
    """How many VPCs the caller sees."""
    return len(ec2.describe_vpcs()["Vpcs"])


def test_dry_run_answers_412_and_changes_nothing(ec2: Any) -> None:
    """A valid DryRun request gets DryRunOperation (HTTP 412) and creates nothing."""
    before = vpc_count(ec2)
    with pytest.raises(ClientError) as caught:
        ec2.create_vpc(CidrBlock="10.0.0.0/16", DryRun=True)
    response = caught.value.response
    assert response["Error"] == {
        "Code": "DryRunOperation",
        "Message": "Request would have succeeded, but DryRun flag is set.",
    }
    assert response["ResponseMetadata"]["HTTPStatusCode"] == 412
    assert vpc_count(ec2) == before


def test_dry_run_of_a_delete_keeps_the_resource(ec2: Any) -> None:
    """DryRun of DeleteVpc leaves the VPC in place."""
    vpc = ec2.create_vpc(CidrBlock="10.0.0.0/16")["Vpc"]["VpcId"]
    assert aws_error(ec2.delete_vpc, VpcId=vpc, DryRun=True)[0] == "DryRunOperation"
    assert ec2.describe_vpcs(VpcIds=[vpc])["Vpcs"][0]["VpcId"] == vpc


def test_amb_31_dry_run_of_an_invalid_call_gets_the_real_error(ec2: Any) -> None:
    """Validation runs first: a DryRun that would fail reports why."""
    assert aws_error(ec2.create_vpc, CidrBlock="10.0.0.0/8", DryRun=True)[0] == "InvalidVpc.Range"
    assert (
        aws_error(ec2.delete_vpc, VpcId="vpc-0123456789abcdef0", DryRun=True)[0]
        == "InvalidVpcID.NotFound"
    )


def test_unknown_action_is_invalid_action(api: Api) -> None:
    """An Action EC2 does not have is InvalidAction."""
    status, body = raw_call(api, {"Action": "MakeCoffee", "Version": VERSION})
    assert status == 400
    assert "<Code>InvalidAction</Code>" in body
    assert "MakeCoffee" in body


def test_unimplemented_real_operation_is_a_clear_400(api: Api) -> None:
    """A real EC2 operation vpclab lacks is a 400 naming the operation, never a 500."""
    unimplemented = next(
        name
        for name in ("DescribeFlowLogs", "CreateFlowLogs", "DescribeVpcEndpoints")
        if ("ec2", name) not in registry.HANDLERS
    )
    status, body = raw_call(api, {"Action": unimplemented, "Version": VERSION})
    assert status == 400
    assert "<Code>Unsupported</Code>" in body
    assert unimplemented in body


def test_unknown_parameter(api: Api) -> None:
    """A parameter the operation does not have is UnknownParameter."""
    status, body = raw_call(api, {"Action": "DescribeVpcs", "Version": VERSION, "Colour": "red"})
    assert status == 400
    assert "<Code>UnknownParameter</Code>" in body
    assert "Colour" in body


def test_missing_required_parameter(api: Api) -> None:
    """A member botocore marks required is MissingParameter, named as EC2 names it."""
    status, body = raw_call(
        api, {"Action": "CreateSubnet", "Version": VERSION, "CidrBlock": "10.0.0.0/24"}
    )
    assert status == 400
    assert "<Code>MissingParameter</Code>" in body
    assert "The request must contain the parameter VpcId" in body


def test_missing_action(api: Api) -> None:
    """A body without Action is refused with a client error."""
    status, body = raw_call(api, {"Version": VERSION})
    assert status == 400
    assert "Action" in body


def test_a_handler_bug_is_a_500_internal_error_with_logged_traceback(
    api: Api, ec2: Any, monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    """An exception that is not an AWS error is a bug: 500 InternalError, traceback in the log, no change."""

    def broken(ctx: RequestContext, params: dict[str, Any]) -> dict[str, Any]:
        """Create a VPC's worth of state, then fail like a bug would."""
        ctx.tx.put(next(iter(ctx.tx.all(_vpc_class()))))
        raise ZeroDivisionError("boom")

    monkeypatch.setitem(registry.HANDLERS, ("ec2", "DescribeVpcs"), broken)
    with caplog.at_level(logging.ERROR, logger="vpclab"):
        status, body = raw_call(api, {"Action": "DescribeVpcs", "Version": VERSION})
    assert status == 500
    assert "<Code>InternalError</Code>" in body
    assert "boom" not in body
    record = next(r for r in caplog.records if r.exc_info)
    assert record.exc_info is not None and record.exc_info[0] is ZeroDivisionError


def _vpc_class() -> Any:
    """The Vpc resource class (imported late to keep the test's focus on dispatch)."""
    from vpclab.model.vpc import Vpc

    return Vpc


def test_request_id_is_returned(ec2: Any) -> None:
    """Every answer carries a request id."""
    assert ec2.describe_vpcs()["ResponseMetadata"]["RequestId"]

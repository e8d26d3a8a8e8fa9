"""Bounded fuzz of every implemented operation: hostile input never yields a 500.

Each example draws parameters from the operation's botocore input shape (the generator of
tests/wire/test_roundtrip.py), points id members at real or malformed ids, optionally corrupts the
encoded form (invalid UTF-8, huge or negative numbers, thousands of list members, bad CIDRs), and
sends it through `Api.handle`. The answer must be below 500 and parse as an AWS success or error.
`scripts/fuzz` runs the same test with more examples (VPCLAB_FUZZ_EXAMPLES).
"""

from __future__ import annotations

import os
import re
import urllib.parse
import xml.etree.ElementTree as ET
from typing import Any

import botocore.serialize  # type: ignore[import-untyped]
import pytest
from botocore.model import Shape  # type: ignore[import-untyped]
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tests.support import client
from tests.wire.test_roundtrip import _STRATEGIES
from vpclab.api.context import Settings
from vpclab.api.dispatch import Api
from vpclab.api.registry import HANDLERS, load_handlers
from vpclab.control.store import Store
from vpclab.model.state import Clock
from vpclab.wire import operation_model

load_handlers()
OPERATIONS = sorted(name for service, name in HANDLERS if service == "ec2")
EXAMPLES = int(os.environ.get("VPCLAB_FUZZ_EXAMPLES", "1"))
HEADERS = {
    "authorization": "AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE/20240101/us-east-1/ec2/aws4_request,"
    " SignedHeaders=host, Signature=0"
}
FUZZ_SETTINGS = settings(
    max_examples=EXAMPLES,
    deadline=None,
    database=None,
    suppress_health_check=list(HealthCheck),
)
BAD_IDS = ["", "vpc-", "vpc-zzzzzzzz", "subnet-0123456789abcdef0", "sg-" + "f" * 300, "igw-1 2"]
HOSTILE_VALUES = [
    "-1",
    "-2147483649",
    "99999999999999999999999999",
    "1e400",
    "NaN",
    "",
    "\x00",
    "10.0.0.0/33",
    "10.0.0.256/24",
    "::/129",
    "300.1.1.1",
    "0.0.0.0/0",
    "vpc-../../etc",
    "x" * 70_000,
]
cases_run = {"count": 0}


def seeded_api() -> tuple[Api, list[str]]:
    """An API whose state holds one of most things, and the ids of them (for id members)."""
    api = Api(Store(None, clock=Clock(settle_seconds=0.0)), Settings())
    ec2 = client(api)
    vpc = ec2.create_vpc(CidrBlock="10.0.0.0/16")["Vpc"]["VpcId"]
    subnet = ec2.create_subnet(VpcId=vpc, CidrBlock="10.0.1.0/24")["Subnet"]["SubnetId"]
    igw = ec2.create_internet_gateway()["InternetGateway"]["InternetGatewayId"]
    ec2.attach_internet_gateway(InternetGatewayId=igw, VpcId=vpc)
    group = ec2.create_security_group(GroupName="fuzz", Description="fuzz", VpcId=vpc)["GroupId"]
    table = ec2.create_route_table(VpcId=vpc)["RouteTable"]["RouteTableId"]
    acl = ec2.create_network_acl(VpcId=vpc)["NetworkAcl"]["NetworkAclId"]
    eni = ec2.create_network_interface(SubnetId=subnet)["NetworkInterface"]["NetworkInterfaceId"]
    allocation = ec2.allocate_address(Domain="vpc")["AllocationId"]
    return api, [vpc, subnet, igw, group, table, acl, eni, allocation]


API, REAL_IDS = seeded_api()
ID_VALUES = st.sampled_from(REAL_IDS + BAD_IDS)


def with_ids(value: Any, shape: Shape, name: str, data: st.DataObject) -> Any:
    """Replace drawn strings in id-named members by real or malformed ids, recursively."""
    kind = shape.type_name
    if kind == "structure" and isinstance(value, dict):
        return {key: with_ids(item, shape.members[key], key, data) for key, item in value.items()}
    if kind == "list" and isinstance(value, list):
        return [with_ids(item, shape.member, name, data) for item in value]
    if kind == "string" and re.search(r"Ids?$", name):
        return data.draw(ID_VALUES)
    return value


def corrupt(form: list[tuple[str, str]], data: st.DataObject) -> bytes:
    """Encode the form, perhaps after making it hostile in one of several ways."""
    how = data.draw(st.sampled_from(["none", "value", "many", "utf8", "duplicate"]))
    if how == "value" and len(form) > 2:
        index = data.draw(st.integers(2, len(form) - 1))
        form[index] = (form[index][0], data.draw(st.sampled_from(HOSTILE_VALUES)))
    elif how == "many":
        listed = [key for key, _ in form if re.search(r"\.1$", key)]
        base = data.draw(st.sampled_from(listed)) if listed else "Filter.1.Value.1"
        form += [(base[:-1] + str(n), "10.0.0.0/16") for n in range(2, 3002)]
    elif how == "duplicate" and len(form) > 2:
        form.append(form[-1])
    body = urllib.parse.urlencode(form).encode("ascii")
    if how == "utf8":
        body += b"&" + data.draw(st.sampled_from([b"Bad=\xff\xfe", b"%ff%fe=1", b"X=%C0%AF"]))
    return body


def assert_aws_answer(status: int, body: bytes, action: str) -> None:
    """The answer is not a server error and parses as EC2 success or a coded error."""
    assert status < 500, (action, status, body[:500])
    root = ET.fromstring(body)
    if status == 200:
        assert root.tag.endswith(f"{action}Response"), (action, root.tag)
    else:
        code = root.find("./Errors/Error/Code")
        message = root.find("./Errors/Error/Message")
        assert code is not None and code.text, (action, body[:500])
        assert message is not None, (action, body[:500])


@pytest.mark.parametrize("action", OPERATIONS)
@FUZZ_SETTINGS
@given(data=st.data())
def test_fuzz_operation_never_answers_500(action: str, data: st.DataObject) -> None:
    """Drawn and corrupted parameters of one operation give an AWS answer, never a 500."""
    op = operation_model("ec2", action)
    assert op is not None
    params: dict[str, Any] = {}
    if op.input_shape is not None:
        drawn = data.draw(_STRATEGIES["ec2"].for_shape(op.input_shape, False, 0, False))
        params = with_ids(drawn, op.input_shape, "", data)
    serializer = botocore.serialize.create_serializer("ec2", include_validation=False)
    form = list(serializer.serialize_to_request(params, op)["body"].items())
    response = API.handle(corrupt(form, data), HEADERS)
    cases_run["count"] += 1
    assert_aws_answer(response.status, response.body, action)


@pytest.mark.parametrize(
    "body",
    [
        b"Action=DescribeVpcs&" + b"x" * (5 * 1024 * 1024),
        b"\xff\xfe\xfd",
        b"Action=%ZZ",
        b"Action=CreateVpc&CidrBlock=10.0.0.0%2F16&DryRun=maybe",
        b"Action=CreateSubnet&VpcId=vpc-1&CidrBlock=10.0.0.0/16&Ipv6Native=" + b"9" * 5000,
        b"Action=DescribeVpcs&MaxResults=-5",
        b"Action=DescribeVpcs&MaxResults=99999999999999999999",
        b"",
    ],
    ids=[
        "huge",
        "not-utf8",
        "bad-escape",
        "bad-bool",
        "huge-bool",
        "negative",
        "huge-int",
        "empty",
    ],
)
def test_fuzz_malformed_encodings_answer_4xx(body: bytes) -> None:
    """Malformed request bodies are refused with an AWS error, never a 500."""
    response = API.handle(body, HEADERS)
    assert 400 <= response.status < 500
    assert_aws_answer(response.status, response.body, "")


@pytest.mark.parametrize(
    "form",
    [
        {"Action": "DeleteTags", "ResourceId.1": ""},
        {"Action": "CreateTags", "ResourceId.1": "fl-0123456789abcdef0", "Tag.1.Key": "k"},
        {"Action": "CreateTags", "ResourceId.1": REAL_IDS[0], "Tag.1.Value": "no key"},
        {"Action": "DeleteTags", "ResourceId.1": REAL_IDS[0], "Tag.1.Value": "no key"},
        {
            "Action": "CreateVpc",
            "CidrBlock": "10.9.0.0/16",
            "TagSpecification.1.ResourceType": "vpc",
            "TagSpecification.1.Tag.1.Value": "no key",
        },
    ],
    ids=["empty-id", "flow-log-id", "create-tag-without-key", "delete-tag-without-key", "spec"],
)
def test_fuzz_regressions_found_by_the_fuzzer(form: dict[str, str]) -> None:
    """Inputs that once answered 500 (an id of a kind with no not-found code, a keyless tag)."""
    response = API.handle(urllib.parse.urlencode(form).encode(), HEADERS)
    assert_aws_answer(response.status, response.body, form["Action"])

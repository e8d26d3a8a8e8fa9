"""Lambda functions and their VPC networking (spec LAM-1..LAM-4): validation of VpcConfig and
the account's shared Hyperplane ENIs, one per (subnet, security-group set)."""

from __future__ import annotations

import base64
import hashlib
import re
import uuid
from collections.abc import Sequence
from dataclasses import dataclass

from vpclab.control import network_interfaces
from vpclab.control.network_interfaces import AddressRequest
from vpclab.control.store import Tx
from vpclab.model.base import Tags, evolve
from vpclab.model.errors import DomainError
from vpclab.model.interface import NetworkInterface
from vpclab.model.security_group import SecurityGroup
from vpclab.model.services import LambdaFunction
from vpclab.model.state import View
from vpclab.model.vpc import Subnet, Vpc

MAX_SUBNETS = 16
MAX_GROUPS = 5
ROLE_PATTERN = re.compile(r"arn:(aws[a-zA-Z-]*)?:iam::\d{12}:role/?[a-zA-Z_0-9+=,.@\-_/]+")
NAME_PATTERN = re.compile(r"[a-zA-Z0-9_-]{1,64}")
LAMBDA_REQUESTER = "AROAJLAMBDAHYPERPLANE:lambda"


def lambda_error(code: str, message: str, status: int) -> DomainError:
    """A DomainError with the HTTP status Lambda answers it with (404, 409, ...)."""
    error = DomainError(code, message)
    error.status = status
    return error


def invalid(message: str) -> DomainError:
    """Lambda's InvalidParameterValueException (400)."""
    return lambda_error("InvalidParameterValueException", message, 400)


def function_arn(view: View, name: str) -> str:
    """The unqualified ARN of a function of this account and region."""
    return f"arn:aws:lambda:{view.region}:{view.account}:function:{name}"


def name_of(reference: str) -> str:
    """A function name from a name, a partial ARN or a full ARN."""
    return reference.rsplit(":", 1)[-1] if ":" in reference else reference


def require_function(view: View, reference: str) -> LambdaFunction:
    """The function named, or Lambda's ResourceNotFoundException with the full ARN."""
    name = name_of(reference)
    fn = view.get(LambdaFunction, name)
    if fn is None:
        raise lambda_error(
            "ResourceNotFoundException",
            f"Function not found: {function_arn(view, name)}",
            404,
        )
    return fn


# -- VPC config (LAM-1, LAM-4) ---------------------------------------------------------------------
def check_vpc_config(
    view: View, subnet_ids: Sequence[str], group_ids: Sequence[str]
) -> tuple[tuple[str, ...], tuple[str, ...], str]:
    """Subnets and groups that exist, in one VPC without dedicated tenancy: (subnets, groups, vpc)."""
    subnets = tuple(dict.fromkeys(subnet_ids))
    groups = tuple(sorted(dict.fromkeys(group_ids)))
    if not subnets and not groups:
        return (), (), ""
    if len(subnets) > MAX_SUBNETS:
        raise invalid(f"The maximum number of subnets ({MAX_SUBNETS}) has been exceeded.")
    if len(groups) > MAX_GROUPS:
        raise invalid(f"The maximum number of security groups ({MAX_GROUPS}) has been exceeded.")
    if not subnets or not groups:
        raise invalid("Both SubnetIds and SecurityGroupIds must be specified for a VPC config.")
    vpcs = set()
    for subnet_id in subnets:
        subnet = view.get(Subnet, subnet_id)
        if subnet is None:
            raise invalid(
                "Error occurred while DescribeSubnets. EC2 Error Code: InvalidSubnetID.NotFound. "
                f"EC2 Error Message: The subnet ID '{subnet_id}' does not exist"
            )
        vpcs.add(subnet.vpc_id)
    if len(vpcs) > 1:
        raise invalid("Subnets are required to be in the same VPC.")
    for group_id in groups:
        group = view.get(SecurityGroup, group_id)
        if group is None:
            raise invalid(
                "Error occurred while DescribeSecurityGroups. EC2 Error Code: "
                f"InvalidGroup.NotFound. EC2 Error Message: The security group '{group_id}' "
                "does not exist"
            )
        vpcs.add(group.vpc_id)
    if len(vpcs) > 1:
        raise invalid("Security groups and subnets are required to be in the same VPC.")
    vpc_id = vpcs.pop()
    vpc = view.get(Vpc, vpc_id)
    if vpc is not None and vpc.instance_tenancy == "dedicated":
        raise invalid(f"Lambda does not support VPCs with dedicated tenancy: {vpc_id}")
    return subnets, groups, vpc_id


def hyperplane_eni(view: View, subnet_id: str, groups: tuple[str, ...]) -> NetworkInterface | None:
    """The account's Lambda ENI for this (subnet, security-group set), if one exists (LAM-1)."""
    for eni in view.iter(NetworkInterface):
        if (
            eni.interface_type == "lambda"
            and eni.subnet_id == subnet_id
            and tuple(sorted(eni.groups)) == groups
        ):
            return eni
    return None


def reconcile_enis(tx: Tx) -> None:
    """Create the Lambda ENIs functions need and remove those no function uses (LAM-1, LAM-3)."""
    wanted = {
        (subnet_id, fn.group_ids) for fn in tx.iter(LambdaFunction) for subnet_id in fn.subnet_ids
    }
    for eni in tx.all(NetworkInterface):
        if eni.interface_type == "lambda" and (eni.subnet_id, tuple(sorted(eni.groups))) not in (
            wanted
        ):
            network_interfaces.release(tx, eni)
    for subnet_id, groups in sorted(wanted):
        if hyperplane_eni(tx, subnet_id, groups) is not None:
            continue
        subnet = tx.get(Subnet, subnet_id)
        if subnet is None:
            continue
        eni = network_interfaces.new_interface(
            tx,
            subnet,
            group_ids=groups,
            addresses=AddressRequest(),
            description="AWS Lambda VPC ENI",
        )
        # LAM-3: never a public address, whatever the subnet's MapPublicIpOnLaunch says.
        tx.put(
            evolve(
                eni,
                interface_type="lambda",
                requester_managed=True,
                requester_id=LAMBDA_REQUESTER,
                public_ip=None,
            )
        )


# -- functions -------------------------------------------------------------------------------------
@dataclass(frozen=True, slots=True, kw_only=True)
class FunctionRequest:
    """What CreateFunction asks for, in model terms."""

    name: str
    role: str
    runtime: str | None = None
    handler: str | None = None
    package_type: str = "Zip"
    code: bytes = b""
    description: str = ""
    memory_size: int = 128
    timeout: int = 3
    subnet_ids: tuple[str, ...] = ()
    group_ids: tuple[str, ...] = ()
    tags: Tags = ()


def _check_role(role: str) -> None:
    """The execution role must look like an IAM role ARN."""
    if ROLE_PATTERN.fullmatch(role) is None:
        raise lambda_error(
            "ValidationException",
            f"1 validation error detected: Value '{role}' at 'role' failed to satisfy "
            "constraint: Member must satisfy regular expression pattern: " + ROLE_PATTERN.pattern,
            400,
        )


def code_digest(code: bytes) -> str:
    """CodeSha256: the base64 of the SHA-256 of the deployment package."""
    return base64.b64encode(hashlib.sha256(code).digest()).decode()


def create_function(tx: Tx, request: FunctionRequest) -> LambdaFunction:
    """CreateFunction: validations as Lambda, then the shared VPC ENIs (LAM-1, LAM-3, LAM-4)."""
    name = name_of(request.name)
    if NAME_PATTERN.fullmatch(name) is None:
        raise lambda_error(
            "ValidationException",
            f"1 validation error detected: Value '{request.name}' at 'functionName' failed to "
            "satisfy constraint: Member must satisfy regular expression pattern: "
            "(arn:(aws[a-zA-Z-]*)?:lambda:)?([a-z]{2}(-gov)?-[a-z]+-\\d{1}:)?(\\d{12}:)?"
            "(function:)?([a-zA-Z0-9-_]+)(:(\\$LATEST|[a-zA-Z0-9-_]+))?",
            400,
        )
    _check_role(request.role)
    if request.package_type == "Zip" and not (request.runtime and request.handler):
        raise invalid(
            "Runtime and Handler are mandatory parameters for functions created with "
            "deployment packages."
        )
    if tx.get(LambdaFunction, name) is not None:
        raise lambda_error("ResourceConflictException", f"Function already exist: {name}", 409)
    subnets, groups, vpc_id = check_vpc_config(tx, request.subnet_ids, request.group_ids)
    now = tx.now()
    fn = LambdaFunction(
        id=name,
        runtime=request.runtime,
        handler=request.handler,
        role=request.role,
        package_type=request.package_type,
        code_sha256=code_digest(request.code),
        code_size=len(request.code),
        description=request.description,
        memory_size=request.memory_size,
        timeout=request.timeout,
        subnet_ids=subnets,
        group_ids=groups,
        vpc_id=vpc_id,
        revision_id=str(uuid.uuid4()),
        created_at=now,
        updated_at=now,
        tags=request.tags,
    )
    tx.put(fn)
    reconcile_enis(tx)
    return fn


@dataclass(frozen=True, slots=True, kw_only=True)
class ConfigurationChange:
    """What UpdateFunctionConfiguration asks to change (None: unchanged)."""

    role: str | None = None
    runtime: str | None = None
    handler: str | None = None
    description: str | None = None
    memory_size: int | None = None
    timeout: int | None = None
    subnet_ids: tuple[str, ...] | None = None
    group_ids: tuple[str, ...] | None = None
    revision_id: str | None = None


def update_configuration(tx: Tx, reference: str, change: ConfigurationChange) -> LambdaFunction:
    """UpdateFunctionConfiguration: new settings and VPC config; ENIs follow (LAM-1)."""
    fn = require_function(tx, reference)
    if change.revision_id is not None and change.revision_id != fn.revision_id:
        raise lambda_error(
            "PreconditionFailedException",
            "The Revision Id provided does not match the latest Revision Id. Call the "
            "GetFunction/GetAlias API to retrieve the latest Revision Id",
            412,
        )
    if change.role is not None:
        _check_role(change.role)
    subnets, groups, vpc_id = fn.subnet_ids, fn.group_ids, fn.vpc_id
    if change.subnet_ids is not None or change.group_ids is not None:
        subnets, groups, vpc_id = check_vpc_config(
            tx,
            fn.subnet_ids if change.subnet_ids is None else change.subnet_ids,
            fn.group_ids if change.group_ids is None else change.group_ids,
        )
    updated = evolve(
        fn,
        role=change.role or fn.role,
        runtime=change.runtime or fn.runtime,
        handler=change.handler or fn.handler,
        description=fn.description if change.description is None else change.description,
        memory_size=change.memory_size or fn.memory_size,
        timeout=change.timeout or fn.timeout,
        subnet_ids=subnets,
        group_ids=groups,
        vpc_id=vpc_id,
        revision_id=str(uuid.uuid4()),
        updated_at=tx.now(),
    )
    tx.put(updated)
    reconcile_enis(tx)
    return updated


def delete_function(tx: Tx, reference: str) -> None:
    """DeleteFunction: the function goes, and ENIs no other function uses with it (LAM-1)."""
    fn = require_function(tx, reference)
    tx.delete(LambdaFunction, fn.id)
    reconcile_enis(tx)


def enis_of(view: View, fn: LambdaFunction) -> list[NetworkInterface]:
    """The Hyperplane ENIs a function sends through, one per subnet of its VPC config."""
    found = (hyperplane_eni(view, s, fn.group_ids) for s in fn.subnet_ids)
    return [eni for eni in found if eni is not None]

"""Lambda operations on functions and their VPC config (spec LAM-1..LAM-4)."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from vpclab.api.context import RequestContext
from vpclab.api.registry import operation
from vpclab.control import lambda_functions as functions
from vpclab.model.services import LambdaFunction, function_state

MAX_ITEMS_DEFAULT = 50


def last_modified(seconds: float) -> str:
    """Lambda's LastModified text: 2024-01-02T03:04:05.000+0000."""
    stamp = datetime.fromtimestamp(seconds, tz=UTC)
    return stamp.strftime("%Y-%m-%dT%H:%M:%S.") + f"{stamp.microsecond // 1000:03d}+0000"


def present_configuration(ctx: RequestContext, fn: LambdaFunction) -> dict[str, Any]:
    """A function in the shape of Lambda's FunctionConfiguration."""
    state, update = function_state(fn, ctx.tx.now(), ctx.tx.clock.settle_seconds)
    out: dict[str, Any] = {
        "FunctionName": fn.id,
        "FunctionArn": functions.function_arn(ctx.tx, fn.id),
        "Runtime": fn.runtime,
        "Role": fn.role,
        "Handler": fn.handler,
        "CodeSize": fn.code_size,
        "Description": fn.description,
        "Timeout": fn.timeout,
        "MemorySize": fn.memory_size,
        "LastModified": last_modified(fn.updated_at),
        "CodeSha256": fn.code_sha256,
        "Version": "$LATEST",
        "RevisionId": fn.revision_id,
        "State": state,
        "LastUpdateStatus": update,
        "PackageType": fn.package_type,
        "Architectures": ["x86_64"],
        "EphemeralStorage": {"Size": 512},
        "TracingConfig": {"Mode": "PassThrough"},
    }
    if state == "Pending":
        out["StateReason"] = "The function is being created."
        out["StateReasonCode"] = "Creating"
    if update == "InProgress":
        out["LastUpdateStatusReason"] = "The function is being created."
        out["LastUpdateStatusReasonCode"] = "Creating"
    if fn.vpc_id:
        out["VpcConfig"] = {
            "SubnetIds": list(fn.subnet_ids),
            "SecurityGroupIds": list(fn.group_ids),
            "VpcId": fn.vpc_id,
            "Ipv6AllowedForDualStack": False,
        }
    return out


def _vpc_lists(params: dict[str, Any]) -> tuple[tuple[str, ...] | None, tuple[str, ...] | None]:
    """The SubnetIds and SecurityGroupIds of a request's VpcConfig (None when absent)."""
    config = params.get("VpcConfig")
    if config is None:
        return None, None
    subnets = config.get("SubnetIds")
    groups = config.get("SecurityGroupIds")
    return (
        None if subnets is None else tuple(subnets),
        None if groups is None else tuple(groups),
    )


@operation("CreateFunction", service="lambda")
def create_function(ctx: RequestContext, params: dict[str, Any]) -> dict[str, Any]:
    """CreateFunction: the code is hashed and kept out of the way; it never runs."""
    subnets, groups = _vpc_lists(params)
    code = params.get("Code") or {}
    package = (
        code.get("ZipFile")
        or "|".join(
            str(code.get(k, "")) for k in ("S3Bucket", "S3Key", "S3ObjectVersion", "ImageUri")
        ).encode()
    )
    request = functions.FunctionRequest(
        name=params["FunctionName"],
        role=params["Role"],
        runtime=params.get("Runtime"),
        handler=params.get("Handler"),
        package_type=params.get("PackageType") or "Zip",
        code=package,
        description=params.get("Description") or "",
        memory_size=params.get("MemorySize") or 128,
        timeout=params.get("Timeout") or 3,
        subnet_ids=subnets or (),
        group_ids=groups or (),
        tags=tuple(sorted((params.get("Tags") or {}).items())),
    )
    return present_configuration(ctx, functions.create_function(ctx.tx, request))


@operation("GetFunction", service="lambda")
def get_function(ctx: RequestContext, params: dict[str, Any]) -> dict[str, Any]:
    """GetFunction: configuration, where the code lives, and tags."""
    fn = functions.require_function(ctx.tx, params["FunctionName"])
    out: dict[str, Any] = {
        "Configuration": present_configuration(ctx, fn),
        "Code": {
            "RepositoryType": "S3",
            "Location": f"https://awslambda-{ctx.region}-tasks.s3.{ctx.region}.amazonaws.com"
            f"/snapshots/{ctx.account}/{fn.id}-{fn.revision_id}",
        },
    }
    if fn.tags:
        out["Tags"] = dict(fn.tags)
    return out


@operation("GetFunctionConfiguration", service="lambda")
def get_function_configuration(ctx: RequestContext, params: dict[str, Any]) -> dict[str, Any]:
    """GetFunctionConfiguration."""
    return present_configuration(ctx, functions.require_function(ctx.tx, params["FunctionName"]))


@operation("UpdateFunctionConfiguration", service="lambda")
def update_function_configuration(ctx: RequestContext, params: dict[str, Any]) -> dict[str, Any]:
    """UpdateFunctionConfiguration, including VpcConfig (ENIs follow, LAM-1)."""
    subnets, groups = _vpc_lists(params)
    change = functions.ConfigurationChange(
        role=params.get("Role"),
        runtime=params.get("Runtime"),
        handler=params.get("Handler"),
        description=params.get("Description"),
        memory_size=params.get("MemorySize"),
        timeout=params.get("Timeout"),
        subnet_ids=subnets,
        group_ids=groups,
        revision_id=params.get("RevisionId"),
    )
    fn = functions.update_configuration(ctx.tx, params["FunctionName"], change)
    return present_configuration(ctx, fn)


@operation("DeleteFunction", service="lambda")
def delete_function(ctx: RequestContext, params: dict[str, Any]) -> dict[str, Any]:
    """DeleteFunction (its ENIs go when no other function uses them)."""
    functions.delete_function(ctx.tx, params["FunctionName"])
    return {}


@operation("ListFunctions", service="lambda")
def list_functions(ctx: RequestContext, params: dict[str, Any]) -> dict[str, Any]:
    """ListFunctions, paginated by Marker/MaxItems in name order."""
    everything = sorted(ctx.tx.all(LambdaFunction), key=lambda f: f.id)
    size = params.get("MaxItems") or MAX_ITEMS_DEFAULT
    marker = params.get("Marker")
    start = int(marker) if marker and marker.isdigit() else 0
    page = everything[start : start + size]
    out: dict[str, Any] = {"Functions": [present_configuration(ctx, f) for f in page]}
    if start + size < len(everything):
        out["NextMarker"] = str(start + size)
    return out

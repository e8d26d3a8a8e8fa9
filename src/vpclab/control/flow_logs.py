"""Flow logs as configuration: create, describe and delete, with EC2's validations.

Destinations: `cloud-watch-logs` (a log group), `s3` (a bucket ARN), `kinesis-data-firehose` (a
delivery stream ARN) and vpclab's local file destination: `LogDestination` `file:///absolute/path`
(any destination type; no IAM role needed). vpclab writes records only to file destinations.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import PurePosixPath
from typing import Any

from vpclab.control.lookup import missing
from vpclab.control.store import COMMIT_HOOKS, Tx
from vpclab.model.base import Resource, Tags
from vpclab.model.errors import DomainError
from vpclab.model.flow_log import DEFAULT_LOG_FORMAT, FILE_DESTINATION_PREFIX, FlowLog
from vpclab.model.ids import has_prefix, new_id
from vpclab.model.interface import NetworkInterface
from vpclab.model.vpc import Subnet, Vpc

RESOURCE_TYPES: dict[str, type[Resource]] = {
    "VPC": Vpc,
    "Subnet": Subnet,
    "NetworkInterface": NetworkInterface,
}
UNEMULATED_RESOURCE_TYPES = ("TransitGateway", "TransitGatewayAttachment", "RegionalNatGateway")
TRAFFIC_TYPES = ("ACCEPT", "REJECT", "ALL")
DESTINATION_TYPES = ("cloud-watch-logs", "s3", "kinesis-data-firehose")
AGGREGATION_INTERVALS = (60, 600)
MAX_RESOURCE_IDS = 1000

# Every field a custom LogFormat may name (versions 2 to 8 of the record format).
LOG_FIELDS = frozenset(
    [
        "version",
        "account-id",
        "interface-id",
        "srcaddr",
        "dstaddr",
        "srcport",
        "dstport",
        "protocol",
        "packets",
        "bytes",
        "start",
        "end",
        "action",
        "log-status",
        "vpc-id",
        "subnet-id",
        "instance-id",
        "tcp-flags",
        "type",
        "pkt-srcaddr",
        "pkt-dstaddr",
        "region",
        "az-id",
        "sublocation-type",
        "sublocation-id",
        "pkt-src-aws-service",
        "pkt-dst-aws-service",
        "flow-direction",
        "traffic-path",
        "ecs-cluster-arn",
        "ecs-cluster-name",
        "ecs-container-instance-arn",
        "ecs-container-instance-id",
        "ecs-container-id",
        "ecs-second-container-id",
        "ecs-service-name",
        "ecs-task-definition-arn",
        "ecs-task-arn",
        "ecs-task-id",
        "reject-reason",
    ]
)
_FIELD_TOKEN = re.compile(r"^\$\{([a-z0-9-]+)\}$")
_DESTINATION_ARN = {
    "s3": re.compile(r"^arn:aws[a-z-]*:s3:::[a-z0-9][a-z0-9.-]{1,61}[a-z0-9](/.*)?$"),
    "cloud-watch-logs": re.compile(
        r"^arn:aws[a-z-]*:logs:[a-z0-9-]+:\d{12}:log-group:[^:]+(:\*)?$"
    ),
    "kinesis-data-firehose": re.compile(
        r"^arn:aws[a-z-]*:firehose:[a-z0-9-]+:\d{12}:deliverystream/[A-Za-z0-9_.-]+$"
    ),
}


@dataclass(frozen=True)
class FlowLogRequest:
    """What CreateFlowLogs asks for, apart from the resources."""

    resource_type: str
    traffic_type: str | None
    destination_type: str | None
    destination: str | None
    log_group_name: str | None
    permission_arn: str | None
    cross_account_role: str | None
    log_format: str | None
    max_aggregation_interval: int | None
    destination_options: dict[str, Any] | None
    client_token: str | None
    tags: Tags


@dataclass(frozen=True)
class Failure:
    """One resource CreateFlowLogs or DeleteFlowLogs could not handle (an UnsuccessfulItem)."""

    resource_id: str
    code: str
    message: str


def _check_log_format(log_format: str | None) -> str:
    """A custom format is `${field}` tokens separated by spaces, each a known field."""
    if log_format is None:
        return DEFAULT_LOG_FORMAT
    tokens = log_format.split()
    if not tokens:
        raise DomainError("InvalidParameter", "LogFormat must name at least one field")
    unknown = [
        t for t in tokens if not (m := _FIELD_TOKEN.match(t)) or m.group(1) not in LOG_FIELDS
    ]
    if unknown:
        raise DomainError("InvalidParameter", f"Unknown fields provided: {', '.join(unknown)}")
    return " ".join(tokens)


def _check_file_destination(destination: str) -> None:
    """vpclab's file destination: `file://` followed by an absolute path to a file."""
    path = destination[len(FILE_DESTINATION_PREFIX) :]
    if not PurePosixPath(path).is_absolute() or path.endswith("/") or "\x00" in path:
        raise DomainError(
            "InvalidParameter",
            f"LogDestination {destination} must be file:// followed by an absolute file path",
        )


def _check_destination(request: FlowLogRequest) -> tuple[str, str | None, str | None]:
    """The destination type, destination and log group after EC2's rules for each type."""
    kind = request.destination_type or "cloud-watch-logs"
    if kind not in DESTINATION_TYPES:
        raise DomainError(
            "InvalidParameter",
            f"LogDestinationType {kind} is invalid. Valid values: {', '.join(DESTINATION_TYPES)}",
        )
    destination, group = request.destination, request.log_group_name
    if destination and destination.startswith(FILE_DESTINATION_PREFIX):
        if group:
            raise DomainError(
                "InvalidParameter", "LogGroupName cannot be combined with a LogDestination"
            )
        _check_file_destination(destination)
        return kind, destination, None
    if kind == "cloud-watch-logs":
        if destination and group:
            raise DomainError(
                "InvalidParameter",
                "Please only provide LogGroupName or only provide LogDestination.",
            )
        if not destination and not group:
            raise DomainError(
                "InvalidParameter",
                "LogDestination or LogGroupName is required for cloud-watch-logs",
            )
        if not request.permission_arn:
            raise DomainError(
                "InvalidParameter",
                "DeliverLogsPermissionArn is required when LogDestinationType is cloud-watch-logs",
            )
        if destination:
            _require_arn(kind, destination)
            group = destination.split(":log-group:", 1)[1].removesuffix(":*")
        return kind, destination, group
    if group:
        raise DomainError("InvalidParameter", f"LogGroupName is not applicable for {kind}")
    if not destination:
        raise DomainError("InvalidParameter", f"LogDestination is required for {kind}")
    _require_arn(kind, destination)
    return kind, destination, None


def _require_arn(kind: str, destination: str) -> None:
    """The destination must be an ARN of the kind the destination type names."""
    if not _DESTINATION_ARN[kind].match(destination):
        raise DomainError(
            "InvalidParameter", f"LogDestination: {destination} is not a valid {kind} ARN."
        )


def _check_options(
    options: dict[str, Any] | None, kind: str
) -> tuple[str | None, bool | None, bool | None]:
    """DestinationOptions (S3 only): file format plain-text|parquet and two partition switches."""
    if not options:
        return None, None, None
    if kind != "s3":
        raise DomainError("InvalidParameter", "DestinationOptions are only supported for s3")
    file_format = options.get("FileFormat") or "plain-text"
    if file_format not in ("plain-text", "parquet"):
        raise DomainError("InvalidParameter", f"FileFormat {file_format} is invalid")
    return (
        file_format,
        bool(options.get("HiveCompatiblePartitions", False)),
        bool(options.get("PerHourPartition", False)),
    )


def _resource_failure(tx: Tx, cls: type[Resource], resource_id: str) -> Failure | None:
    """Why a resource cannot get a flow log (unknown or malformed id), or None."""
    if tx.get(cls, resource_id) is not None:
        return None
    error = missing(cls, resource_id)
    return Failure(resource_id, error.code, error.message)


def _same_configuration(existing: FlowLog, candidate: FlowLog) -> bool:
    """Whether two flow logs duplicate each other: same resource, traffic and destination."""
    return (
        existing.resource_id,
        existing.traffic_type,
        existing.log_destination_type,
        existing.log_destination,
        existing.log_group_name,
    ) == (
        candidate.resource_id,
        candidate.traffic_type,
        candidate.log_destination_type,
        candidate.log_destination,
        candidate.log_group_name,
    )


def create_flow_logs(
    tx: Tx, resource_ids: list[str], request: FlowLogRequest
) -> tuple[list[FlowLog], list[Failure]]:
    """CreateFlowLogs: one flow log per known resource; unknown ones come back as Unsuccessful."""
    if request.client_token:
        earlier = [fl for fl in tx.all(FlowLog) if fl.client_token == request.client_token]
        if earlier:
            return earlier, []
    if request.resource_type in UNEMULATED_RESOURCE_TYPES:
        raise DomainError(
            "InvalidParameter",
            f"vpclab records flow logs of VPCs, subnets and network interfaces, "
            f"not {request.resource_type}",
        )
    cls = RESOURCE_TYPES.get(request.resource_type)
    if cls is None:
        raise DomainError("InvalidParameter", f"ResourceType {request.resource_type} is invalid.")
    if len(resource_ids) > MAX_RESOURCE_IDS:
        raise DomainError(
            "InvalidParameter", f"No more than {MAX_RESOURCE_IDS} resource ids may be given"
        )
    if request.traffic_type is None:
        raise DomainError("MissingParameter", "The request must contain the parameter TrafficType")
    if request.traffic_type not in TRAFFIC_TYPES:
        raise DomainError(
            "InvalidParameter",
            f"TrafficType {request.traffic_type} is invalid. Valid values: ACCEPT, REJECT, ALL",
        )
    interval = request.max_aggregation_interval or 600
    if interval not in AGGREGATION_INTERVALS:
        raise DomainError(
            "InvalidParameter",
            f"MaxAggregationInterval {interval} is invalid. Valid values: 60, 600",
        )
    kind, destination, group = _check_destination(request)
    file_format, hive, per_hour = _check_options(request.destination_options, kind)
    log_format = _check_log_format(request.log_format)
    created: list[FlowLog] = []
    failures: list[Failure] = []
    for resource_id in dict.fromkeys(resource_ids):
        failure = _resource_failure(tx, cls, resource_id)
        if failure is not None:
            failures.append(failure)
            continue
        flow_log = FlowLog(
            id=new_id("fl"),
            resource_id=resource_id,
            traffic_type=request.traffic_type,
            log_destination_type=kind,
            log_destination=destination,
            log_group_name=group,
            deliver_logs_permission_arn=request.permission_arn,
            deliver_cross_account_role=request.cross_account_role,
            log_format=log_format,
            max_aggregation_interval=interval,
            file_format=file_format,
            hive_compatible_partitions=hive,
            per_hour_partition=per_hour,
            created_at=tx.now(),
            client_token=request.client_token,
            tags=request.tags,
        )
        if any(_same_configuration(fl, flow_log) for fl in tx.iter(FlowLog)):
            failures.append(
                Failure(
                    resource_id,
                    "FlowLogAlreadyExists",
                    "There is an existing Flow Log with the same configuration and log destination.",
                )
            )
            continue
        tx.put(flow_log)
        created.append(flow_log)
    return created, failures


def delete_flow_logs_of_deleted_resources(tx: Tx) -> None:
    """A flow log goes with the VPC, subnet or network interface it watches: AWS removes it
    (DeleteVpc's documentation: "flow logs for deleted VPCs are eventually automatically
    removed"; vpclab removes it in the same transaction). Registered as a commit hook, so
    every way a resource disappears (DeleteVpc, DeleteSubnet, DeleteNetworkInterface,
    termination, NAT gateway or Lambda clean-up) is covered."""
    gone = {rid for cls in RESOURCE_TYPES.values() for rid in tx.deleted_ids(cls)}
    if not gone:
        return
    for key in list(tx.overlay):
        view = tx.other(*key)
        for flow_log in view.all(FlowLog):
            if flow_log.resource_id in gone:
                view.delete(FlowLog, flow_log.id)


COMMIT_HOOKS.append(delete_flow_logs_of_deleted_resources)


def delete_flow_logs(tx: Tx, flow_log_ids: list[str]) -> list[Failure]:
    """DeleteFlowLogs: delete the known ones, report the others as Unsuccessful."""
    failures: list[Failure] = []
    for flow_log_id in dict.fromkeys(flow_log_ids):
        if tx.get(FlowLog, flow_log_id) is not None:
            tx.delete(FlowLog, flow_log_id)
        elif not has_prefix(flow_log_id, FlowLog.id_prefix):
            failures.append(
                Failure(flow_log_id, "InvalidFlowLogId.Malformed", f'Invalid id: "{flow_log_id}"')
            )
        else:
            failures.append(
                Failure(
                    flow_log_id,
                    "InvalidFlowLogId.NotFound",
                    f"The flow log ID '{flow_log_id}' does not exist",
                )
            )
    return failures

"""EC2 operations on flow logs (configuration only): handlers and the FlowLog presenter."""

from __future__ import annotations

from typing import Any

from vpclab.api.common import spec_tags, tag_list, timestamp
from vpclab.api.context import RequestContext
from vpclab.api.describe import describe
from vpclab.api.registry import operation
from vpclab.control import flow_logs
from vpclab.model.flow_log import FlowLog

DELIVER_STATUS = "SUCCESS"


def present_flow_log(flow_log: FlowLog) -> dict[str, Any]:
    """A flow log in the shape of EC2's FlowLog."""
    out: dict[str, Any] = {
        "FlowLogId": flow_log.id,
        "CreationTime": timestamp(flow_log.created_at),
        "DeliverLogsStatus": DELIVER_STATUS,
        "FlowLogStatus": "ACTIVE",
        "ResourceId": flow_log.resource_id,
        "TrafficType": flow_log.traffic_type,
        "LogDestinationType": flow_log.log_destination_type,
        "LogFormat": flow_log.log_format,
        "MaxAggregationInterval": flow_log.max_aggregation_interval,
        "Tags": tag_list(flow_log),
    }
    optional = {
        "LogDestination": flow_log.log_destination,
        "LogGroupName": flow_log.log_group_name,
        "DeliverLogsPermissionArn": flow_log.deliver_logs_permission_arn,
        "DeliverCrossAccountRole": flow_log.deliver_cross_account_role,
    }
    out.update({k: v for k, v in optional.items() if v is not None})
    if flow_log.file_format is not None or flow_log.log_destination_type == "s3":
        out["DestinationOptions"] = {  # S3 logs always show them, defaults when not asked for
            "FileFormat": flow_log.file_format or "plain-text",
            "HiveCompatiblePartitions": bool(flow_log.hive_compatible_partitions),
            "PerHourPartition": bool(flow_log.per_hour_partition),
        }
    return out


def present_failure(failure: flow_logs.Failure) -> dict[str, Any]:
    """One UnsuccessfulItem."""
    return {
        "ResourceId": failure.resource_id,
        "Error": {"Code": failure.code, "Message": failure.message},
    }


FLOW_LOG_FILTERS: dict[str, Any] = {
    "flow-log-id": lambda f: f.id,
    "resource-id": lambda f: f.resource_id,
    "traffic-type": lambda f: f.traffic_type,
    "log-destination-type": lambda f: f.log_destination_type,
    "deliver-log-status": lambda f: DELIVER_STATUS,
    "log-group-name": lambda f: f.log_group_name,
}


@operation("CreateFlowLogs")
def create_flow_logs(ctx: RequestContext, params: dict[str, Any]) -> dict[str, Any]:
    """CreateFlowLogs: Unsuccessful items for resources that do not exist."""
    request = flow_logs.FlowLogRequest(
        resource_type=params["ResourceType"],
        traffic_type=params.get("TrafficType"),
        destination_type=params.get("LogDestinationType"),
        destination=params.get("LogDestination"),
        log_group_name=params.get("LogGroupName"),
        permission_arn=params.get("DeliverLogsPermissionArn"),
        cross_account_role=params.get("DeliverCrossAccountRole"),
        log_format=params.get("LogFormat"),
        max_aggregation_interval=params.get("MaxAggregationInterval"),
        destination_options=params.get("DestinationOptions"),
        client_token=params.get("ClientToken"),
        tags=spec_tags(params, "vpc-flow-log"),
    )
    created, failures = flow_logs.create_flow_logs(ctx.tx, list(params["ResourceIds"]), request)
    result: dict[str, Any] = {
        "FlowLogIds": [fl.id for fl in created],
        "Unsuccessful": [present_failure(f) for f in failures],
    }
    if request.client_token:
        result["ClientToken"] = request.client_token
    return result


@operation("DescribeFlowLogs")
def describe_flow_logs(ctx: RequestContext, params: dict[str, Any]) -> dict[str, Any]:
    """DescribeFlowLogs: ids that match nothing simply return nothing, as EC2 does."""
    ids = set(params.get("FlowLogIds") or [])
    chosen = [fl for fl in ctx.tx.all(FlowLog) if not ids or fl.id in ids]
    return describe(
        chosen,
        {**params, "Filters": params.get("Filter")},
        fields=FLOW_LOG_FILTERS,
        present=present_flow_log,
        list_key="FlowLogs",
        minimum=1,
    )


@operation("DeleteFlowLogs")
def delete_flow_logs(ctx: RequestContext, params: dict[str, Any]) -> dict[str, Any]:
    """DeleteFlowLogs: Unsuccessful items for ids that name no flow log."""
    failures = flow_logs.delete_flow_logs(ctx.tx, list(params["FlowLogIds"]))
    return {"Unsuccessful": [present_failure(f) for f in failures]}

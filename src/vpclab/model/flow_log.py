"""VPC flow logs as configuration: which traffic of which resource goes to which destination."""

from __future__ import annotations

from dataclasses import dataclass

from vpclab.model.base import Resource, register
from vpclab.model.interface import NetworkInterface
from vpclab.model.state import View

# The fields of a version 2 record, in order: the format AWS uses when LogFormat is not given.
DEFAULT_LOG_FORMAT = (
    "${version} ${account-id} ${interface-id} ${srcaddr} ${dstaddr} ${srcport} ${dstport} "
    "${protocol} ${packets} ${bytes} ${start} ${end} ${action} ${log-status}"
)

# vpclab's local destination: records appended to a file on the server's machine.
FILE_DESTINATION_PREFIX = "file://"


@register
@dataclass(frozen=True, slots=True, kw_only=True)
class FlowLog(Resource):
    """One flow log: a VPC, subnet or ENI, the traffic it records and where records go."""

    kind = "flow-log"
    id_prefix = "fl"
    resource_type = "vpc-flow-log"
    resource_id: str
    traffic_type: str
    log_destination_type: str
    log_destination: str | None = None
    log_group_name: str | None = None
    deliver_logs_permission_arn: str | None = None
    deliver_cross_account_role: str | None = None
    log_format: str = DEFAULT_LOG_FORMAT
    max_aggregation_interval: int = 600
    file_format: str | None = None
    hive_compatible_partitions: bool | None = None
    per_hour_partition: bool | None = None
    created_at: float = 0.0
    client_token: str | None = None

    @property
    def file_path(self) -> str | None:
        """The local file records are appended to, when the destination is a file:// URI."""
        if self.log_destination and self.log_destination.startswith(FILE_DESTINATION_PREFIX):
            return self.log_destination[len(FILE_DESTINATION_PREFIX) :]
        return None

    def fields(self) -> tuple[str, ...]:
        """The record field names in order (`${srcaddr}` -> `srcaddr`)."""
        return tuple(token[2:-1] for token in self.log_format.split())


def flow_logs_for(view: View, eni: NetworkInterface) -> list[FlowLog]:
    """The flow logs that record an ENI's traffic: its own, its subnet's and its VPC's, by id."""
    covering = {eni.id, eni.subnet_id, eni.vpc_id}
    return [fl for fl in view.all(FlowLog) if fl.resource_id in covering]

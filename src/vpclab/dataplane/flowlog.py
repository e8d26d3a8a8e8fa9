"""Flow-log records (version 2 default format) for a traced connection: values, never written here."""

from __future__ import annotations

from dataclasses import dataclass

from vpclab.dataplane.compile import CompiledWorld
from vpclab.dataplane.flow import PROTOCOL_NUMBERS, Header
from vpclab.dataplane.trace import Hop, Trace
from vpclab.model.flow_log import flow_logs_for


@dataclass(frozen=True, slots=True)
class FlowLogRecord:
    """One line for one flow log's file destination."""

    path: str
    line: str


def _eni_of(world: CompiledWorld, hop: Hop) -> str | None:
    """The ENI a hop happened at (an instance hop means its primary ENI)."""
    if hop.component.kind == "network-interface":
        return hop.component.id
    if hop.component.kind == "instance":
        instance = world.home.instances.get(hop.component.id)
        return instance.primary_eni_id if instance else None
    return None


def _action(hops: tuple[Hop, ...], index: int, subnet_id: str | None) -> str:
    """REJECT when the ENI's own checks or its subnet's NACL next to it dropped the packet."""
    near = [hops[index]]
    for other in (index - 1, index + 1):
        if not 0 <= other < len(hops):
            continue
        if hops[other].component.kind == "network-acl" and hops[other].subnet_id == subnet_id:
            near.append(hops[other])
    return "REJECT" if any(h.blocked for h in near) else "ACCEPT"


def _fields(header: Header, account: str, eni_id: str, action: str, now: int) -> dict[str, str]:
    """The values of the version 2 fields for one packet at one ENI."""

    def port(ports: object) -> str:
        spans = getattr(ports, "spans", ())
        return str(spans[0][0]) if header.ported and spans else "0"

    return {
        "version": "2",
        "account-id": account,
        "interface-id": eni_id,
        "srcaddr": header.source,
        "dstaddr": header.destination,
        "srcport": port(header.source_ports),
        "dstport": port(header.destination_ports),
        "protocol": PROTOCOL_NUMBERS.get(header.protocol, header.protocol),
        "packets": "1",
        "bytes": "64",
        "start": str(now),
        "end": str(now),
        "action": action,
        "log-status": "OK",
    }


def flow_log_records(world: CompiledWorld, result: Trace, now: float) -> list[FlowLogRecord]:
    """Records for every ENI on the traced path covered by a flow log with a file destination."""
    out: list[FlowLogRecord] = []
    view = world.home.view
    for hops in (result.forward, result.reverse):
        for index, hop in enumerate(hops):
            eni_id = _eni_of(world, hop)
            eni = world.home.enis.get(eni_id or "")
            header = hop.inbound or hop.outbound
            if eni is None or header is None:
                continue
            action = _action(hops, index, hop.subnet_id)
            values = _fields(header, view.account, eni.id, action, int(now))
            for log in flow_logs_for(view, eni.eni):
                wanted = log.traffic_type.upper()
                if log.file_path is None or wanted not in ("ALL", action):
                    continue
                line = " ".join(values.get(name, "-") for name in log.fields())
                out.append(FlowLogRecord(log.file_path, line))
    return out

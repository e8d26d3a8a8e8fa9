"""A monthly cost estimate of the current state, from the public prices in data/prices.json."""

from __future__ import annotations

import json
import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from importlib import resources
from pathlib import Path
from typing import Any

from vpclab.dataplane.flow import PROTOCOL_NAMES
from vpclab.dataplane.trace import Trace
from vpclab.model.flow_log import FILE_DESTINATION_PREFIX

LIVE_NAT_STATES = ("pending", "available")
# AWS bills data in GB of 2^30 bytes.
BYTES_PER_GB = float(2**30)
NEEDED_FIELDS = ("interface-id", "srcaddr", "dstaddr", "bytes", "action")
_FIELD = re.compile(r"\$\{([a-z0-9-]+)\}")


@dataclass(frozen=True, slots=True)
class Price:
    """One unit price and whether it was checked against AWS's own pricing page."""

    usd: float
    unit: str
    verified: bool
    source: str


@dataclass(frozen=True, slots=True)
class PriceTable:
    """The prices file: its date, region, hours in a month and unit prices by name."""

    date: str
    region: str
    hours_per_month: float
    prices: dict[str, Price]


@dataclass(frozen=True, slots=True)
class Line:
    """One line of the estimate: what, how many, at which price, for how much."""

    item: str
    quantity: float
    unit: str
    price: Price
    usd: float


def load_prices() -> PriceTable:
    """The packaged price table."""
    text = resources.files("vpclab").joinpath("data/prices.json").read_text(encoding="utf-8")
    raw = json.loads(text)
    return PriceTable(
        date=raw["date"],
        region=raw["region"],
        hours_per_month=float(raw["hours_per_month"]),
        prices={name: Price(**price) for name, price in raw["prices"].items()},
    )


def public_ipv4_count(ec2: Any) -> int:
    """Public IPv4 addresses held: every Elastic IP plus every auto-assigned public address."""
    elastic = ec2.describe_addresses()["Addresses"]
    interfaces = ec2.describe_network_interfaces()["NetworkInterfaces"]
    auto_assigned = [
        e
        for e in interfaces
        if e.get("Association", {}).get("PublicIp") and not e["Association"].get("AllocationId")
    ]
    return len(elastic) + len(auto_assigned)


@dataclass(frozen=True, slots=True)
class FlowRecord:
    """One accepted flow-log record: where it was logged, the packet's ends, and its bytes."""

    interface_id: str
    source: str
    destination: str
    protocol: str
    source_port: int | None
    destination_port: int | None
    size: int


@dataclass
class LoggedTraffic:
    """What the flow logs say was billed traffic: bytes per NAT gateway, bytes out to the
    internet, how many records were read, and what could not be counted."""

    nat_bytes: dict[str, int] = field(default_factory=dict)
    internet_out_bytes: int = 0
    records: int = 0
    notes: list[str] = field(default_factory=list)

    @property
    def nat_total(self) -> int:
        """Bytes processed by every NAT gateway together."""
        return sum(self.nat_bytes.values())


def _port(value: str | None) -> int | None:
    """A port field's value (None when absent or `-`)."""
    return int(value) if value and value.isdigit() else None


def _record(values: dict[str, str]) -> FlowRecord | None:
    """The record of one parsed line when it is an accepted packet count, else None."""
    if values.get("action") != "ACCEPT" or not values.get("bytes", "").isdigit():
        return None
    return FlowRecord(
        interface_id=values["interface-id"],
        source=values["srcaddr"],
        destination=values["dstaddr"],
        protocol=PROTOCOL_NAMES.get(values.get("protocol", "6"), "tcp"),
        source_port=_port(values.get("srcport")),
        destination_port=_port(values.get("dstport")),
        size=int(values["bytes"]),
    )


def read_flow_records(ec2: Any) -> tuple[list[FlowRecord], list[str]]:
    """Accepted records of every flow log with a file destination, one log's per interface
    (two logs covering one ENI each hold every record, so counting both would double it);
    and notes on logs that cannot be counted."""
    notes: list[str] = []
    per_log: dict[str, dict[str, list[FlowRecord]]] = {}
    formats: dict[str, list[tuple[str, list[str]]]] = {}
    for log in sorted(ec2.describe_flow_logs()["FlowLogs"], key=lambda f: f["FlowLogId"]):
        destination = log.get("LogDestination") or ""
        if not destination.startswith(FILE_DESTINATION_PREFIX):
            continue
        names = _FIELD.findall(log["LogFormat"])
        missing = [name for name in NEEDED_FIELDS if name not in names]
        if missing:
            notes.append(f"flow log {log['FlowLogId']} lacks {', '.join(missing)}: not counted")
            continue
        path = destination[len(FILE_DESTINATION_PREFIX) :]
        formats.setdefault(path, []).append((log["FlowLogId"], names))
    for path, logs in formats.items():
        for line in _lines(Path(path)):
            tokens = line.split()
            for log_id, names in logs:
                if len(names) != len(tokens):
                    continue
                record = _record(dict(zip(names, tokens, strict=True)))
                if record is not None:
                    per_log.setdefault(record.interface_id, {}).setdefault(log_id, []).append(
                        record
                    )
                break
    # The fullest log of each interface.
    chosen = [max(by_log.values(), key=len) for by_log in per_log.values()]
    return [record for records in chosen for record in records], notes


def _lines(path: Path) -> Iterable[str]:
    """A flow-log file's non-empty lines (none when nothing was written yet)."""
    if not path.is_file():
        return []
    return [line for line in path.read_text(encoding="utf-8").splitlines() if line.strip()]


def _interfaces(ec2: Any) -> tuple[dict[str, set[str]], dict[str, str]]:
    """Each ENI's addresses (private and public), and NAT gateway ENIs to their gateway."""
    addresses: dict[str, set[str]] = {}
    for eni in ec2.describe_network_interfaces()["NetworkInterfaces"]:
        held = {a["PrivateIpAddress"] for a in eni.get("PrivateIpAddresses", [])}
        public = eni.get("Association", {}).get("PublicIp")
        addresses[eni["NetworkInterfaceId"]] = held | ({public} if public else set())
    nat_enis = {
        address["NetworkInterfaceId"]: nat["NatGatewayId"]
        for nat in ec2.describe_nat_gateways()["NatGateways"]
        for address in nat.get("NatGatewayAddresses", [])
        if address.get("NetworkInterfaceId")
    }
    return addresses, nat_enis


def logged_traffic(
    ec2: Any,
    tracer: Callable[..., Trace],
    records: list[FlowRecord],
    notes: Iterable[str] = (),
) -> LoggedTraffic:
    """Billed bytes in flow-log records, each attributed by tracing its connection as routed
    now: a record at a NAT gateway's ENI counts for that gateway; a record at any other ENI
    counts, both ways, for the NAT gateway its path passes (unless that gateway's own ENI
    logged it) and, going out, as data transfer to the internet when it leaves by an IGW."""
    addresses, nat_enis = _interfaces(ec2)
    traffic = LoggedTraffic(records=len(records), notes=list(notes))
    derived: dict[str, int] = {}
    logged_at_nat: dict[str, int] = {}
    paths: dict[tuple[str, str, str, int | None], Trace] = {}
    for record in records:
        if record.interface_id in nat_enis:
            nat_id = nat_enis[record.interface_id]
            logged_at_nat[nat_id] = logged_at_nat.get(nat_id, 0) + record.size
            continue
        mine = addresses.get(record.interface_id)
        if mine is None:
            traffic.notes.append(f"{record.interface_id} no longer exists: a record not counted")
            continue
        outbound = record.source in mine
        remote = record.destination if outbound else record.source
        port = record.destination_port if outbound else record.source_port
        key = (record.interface_id, remote, record.protocol, port)
        if key not in paths:
            paths[key] = tracer(record.interface_id, remote, protocol=record.protocol, port=port)
        kinds = {(hop.component.kind, hop.component.id) for hop in paths[key].forward}
        for kind, component in kinds:
            if kind == "nat-gateway":
                derived[component] = derived.get(component, 0) + record.size
        if outbound and any(kind == "internet-gateway" for kind, _ in kinds):
            traffic.internet_out_bytes += record.size
    for nat_id in sorted(set(derived) | set(logged_at_nat)):
        traffic.nat_bytes[nat_id] = logged_at_nat.get(nat_id) or derived[nat_id]
    return traffic


def estimate(
    ec2: Any, table: PriceTable, nat_gb: float = 0.0, traffic: LoggedTraffic | None = None
) -> list[Line]:
    """The month's charges for the state behind the client: NAT data volume as assumed, plus
    the traffic its flow logs recorded when given."""
    nats = ec2.describe_nat_gateways(Filter=[{"Name": "state", "Values": list(LIVE_NAT_STATES)}])[
        "NatGateways"
    ]
    hours = table.hours_per_month
    nat_hour = table.prices["nat_gateway_hour"]
    nat_gb_price = table.prices["nat_gateway_gb_processed"]
    ipv4 = table.prices["public_ipv4_address_hour"]
    addresses = public_ipv4_count(ec2)
    return [
        Line(
            "NAT gateway hours", len(nats) * hours, "h", nat_hour, len(nats) * hours * nat_hour.usd
        ),
        Line(
            "NAT gateway data processed",
            nat_gb if nats else 0.0,
            "GB",
            nat_gb_price,
            (nat_gb if nats else 0.0) * nat_gb_price.usd,
        ),
        Line(
            "Public IPv4 address hours", addresses * hours, "h", ipv4, addresses * hours * ipv4.usd
        ),
        *(_logged_lines(table, traffic) if traffic is not None else []),
    ]


def _logged_lines(table: PriceTable, traffic: LoggedTraffic) -> list[Line]:
    """The charges for flow-logged bytes: NAT processing and, when priced, data out."""
    nat_gb_price = table.prices["nat_gateway_gb_processed"]
    nat_gb = traffic.nat_total / BYTES_PER_GB
    lines = [Line("NAT data, flow-logged", nat_gb, "GB", nat_gb_price, nat_gb * nat_gb_price.usd)]
    out_price = table.prices.get("data_transfer_out_internet_gb")
    if out_price is not None:
        out_gb = traffic.internet_out_bytes / BYTES_PER_GB
        lines.append(
            Line("Internet out, flow-logged", out_gb, "GB", out_price, out_gb * out_price.usd)
        )
    return lines


def report(
    lines: list[Line],
    table: PriceTable,
    account: str,
    region: str,
    traffic: LoggedTraffic | None = None,
) -> str:
    """The estimate as text for an 80-column terminal, with the prices' date and region."""
    out = [
        f"Monthly estimate for account {account} in {region} "
        f"({table.hours_per_month:g} hours a month)",
        f"Prices: {table.region} as of {table.date} (vpclab/data/prices.json)",
    ]
    if region != table.region:
        out.append(f"Note: prices are for {table.region}, not {region}.")
    for line in lines:
        mark = "" if line.price.verified else " *"
        out.append(
            f"  {line.item:<28}{_quantity(line.quantity):>10} {line.unit:<2} x ${line.price.usd:<6g}"
            f" = ${line.usd:>9.2f}{mark}"
        )
    out.append(f"  {'Total':<51} ${sum(line.usd for line in lines):>9.2f}")
    if any(not line.price.verified for line in lines):
        out.append("* price not verified against AWS's live pricing page")
    if traffic is not None:
        out += _traffic_summary(traffic)
    return "\n".join(out)


def _quantity(value: float) -> str:
    """A quantity in at most 10 columns (flow-logged GB are tiny: a few significant digits)."""
    return f"{value:.3g}" if 0 < value < 1 else f"{value:g}"


def _traffic_summary(traffic: LoggedTraffic) -> list[str]:
    """What the flow logs held, in bytes as recorded (not extrapolated to a month)."""
    out = [
        f"Flow logs: {traffic.records} accepted records (as recorded, not extrapolated)",
        f"  out to the internet: {traffic.internet_out_bytes} bytes",
    ]
    out += [f"  through {nat}: {size} bytes" for nat, size in traffic.nat_bytes.items()]
    out += [f"  note: {note}" for note in traffic.notes]
    return out

"""A monthly cost estimate of the current state, from the public prices in data/prices.json."""

from __future__ import annotations

import json
from dataclasses import dataclass
from importlib import resources
from typing import Any

LIVE_NAT_STATES = ("pending", "available")


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


def estimate(ec2: Any, table: PriceTable, nat_gb: float = 0.0) -> list[Line]:
    """The month's charges for the state behind the client (NAT data volume as assumed)."""
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
    ]


def report(lines: list[Line], table: PriceTable, account: str, region: str) -> str:
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
            f"  {line.item:<28}{line.quantity:>10g} {line.unit:<2} x ${line.price.usd:<6g}"
            f" = ${line.usd:>9.2f}{mark}"
        )
    out.append(f"  {'Total':<51} ${sum(line.usd for line in lines):>9.2f}")
    if any(not line.price.verified for line in lines):
        out.append("* price not verified against AWS's live pricing page")
    return "\n".join(out)

"""Managed prefix lists: AWS-managed service lists and customer-managed lists with versions."""

from __future__ import annotations

import hashlib
from collections.abc import Iterable, Mapping, Sequence
from functools import lru_cache
from typing import Any

from vpclab.control.lookup import require
from vpclab.control.security_groups import check_rule_quota
from vpclab.control.store import Tx
from vpclab.model.base import Tags, evolve
from vpclab.model.cidr import parse_v4, parse_v6
from vpclab.model.errors import DomainError
from vpclab.model.ids import new_id
from vpclab.model.route_table import RouteTable
from vpclab.model.security_group import (
    PrefixList,
    PrefixListEntry,
    PrefixListVersion,
    SecurityGroup,
)
from vpclab.model.state import View

AWS_OWNER = "AWS"
MAX_ENTRIES_LIMIT = 1000
MAX_CUSTOMER_LISTS = 100
RESERVED_NAME_PREFIX = "com.amazonaws"

# Published service ranges (a representative subset); regions not listed get the us-east-1 set.
_SERVICE_CIDRS: dict[str, dict[str, tuple[str, ...]]] = {
    "s3": {
        "us-east-1": (
            "3.5.0.0/19",
            "16.182.0.0/16",
            "18.34.0.0/19",
            "52.216.0.0/15",
            "54.231.0.0/16",
        ),
        "us-east-2": ("3.5.128.0/22", "3.5.132.0/23", "16.12.64.0/22", "52.219.80.0/20"),
        "us-west-2": (
            "3.5.76.0/22",
            "3.5.80.0/21",
            "18.34.48.0/20",
            "52.92.128.0/17",
            "52.218.128.0/17",
        ),
        "eu-west-1": ("3.5.64.0/21", "3.5.72.0/23", "52.92.0.0/17", "52.218.0.0/17"),
    },
    "dynamodb": {
        "us-east-1": ("3.218.180.0/22", "3.218.184.0/22", "52.94.0.0/22", "52.119.224.0/20"),
        "us-east-2": ("3.218.188.0/22", "52.94.4.0/24", "52.119.232.0/21"),
        "us-west-2": ("35.71.64.0/22", "52.94.8.0/24", "52.119.160.0/20"),
        "eu-west-1": ("52.94.5.0/24", "52.94.24.0/23", "52.119.240.0/21"),
    },
}


def aws_managed_id(region: str, name: str) -> str:
    """A stable id for an AWS-managed list: the same in every account of a region, like AWS's."""
    return "pl-" + hashlib.sha256(f"{region}/{name}".encode()).hexdigest()[:8]


@lru_cache(maxsize=64)
def aws_managed_lists(region: str) -> tuple[PrefixList, ...]:
    """The AWS-managed service prefix lists of a region (com.amazonaws.REGION.s3, .dynamodb)."""
    out = []
    for service, by_region in _SERVICE_CIDRS.items():
        name = f"com.amazonaws.{region}.{service}"
        cidrs = by_region.get(region, by_region["us-east-1"])
        out.append(
            PrefixList(
                id=aws_managed_id(region, name),
                name=name,
                entries=tuple(PrefixListEntry(cidr=c) for c in cidrs),
                max_entries=len(cidrs),
                aws_managed=True,
            )
        )
    return tuple(out)


def ensure_aws_managed(tx: Tx) -> None:
    """Put the region's AWS-managed lists into a partition if they are not there yet (idempotent)."""
    for plist in aws_managed_lists(tx.region):
        if tx.get(PrefixList, plist.id) is None:
            tx.put(plist)


def owner_of(view: View, plist: PrefixList) -> str:
    """The OwnerId EC2 reports: "AWS" for service lists, else the account."""
    return AWS_OWNER if plist.aws_managed else view.account


def state_of(plist: PrefixList) -> str:
    """The list's State: create-complete until first modified, then modify-complete."""
    return "create-complete" if plist.version == 1 else "modify-complete"


def canonical_entry_cidr(text: str, family: str) -> str:
    """An entry CIDR of the list's family in canonical form (InvalidParameterValue otherwise)."""
    net = parse_v4(text) if family == "IPv4" else parse_v6(text)
    if net is None:
        raise DomainError(
            "InvalidParameterValue",
            f"Value ({text}) for parameter cidr is invalid. "
            f"The CIDR is not a valid {family} CIDR block.",
        )
    return str(net)


def _entries(specs: Iterable[Mapping[str, Any]], family: str) -> list[PrefixListEntry]:
    """Entries requested as AddPrefixListEntry dicts, canonicalised; duplicates refused."""
    out: list[PrefixListEntry] = []
    seen: set[str] = set()
    for spec in specs:
        cidr = canonical_entry_cidr(spec["Cidr"], family)
        if cidr in seen:
            raise DomainError(
                "InvalidRequest", f"The request contains duplicate entries for CIDR {cidr}."
            )
        seen.add(cidr)
        out.append(PrefixListEntry(cidr=cidr, description=spec.get("Description")))
    return out


def _check_name(name: str) -> None:
    """A customer list may not take a name of the AWS-managed namespace."""
    if not name or len(name) > 255:
        raise DomainError(
            "InvalidParameterValue", f"Value ({name}) for parameter prefixListName is invalid."
        )
    if name.lower().startswith(RESERVED_NAME_PREFIX):
        raise DomainError(
            "InvalidParameterValue",
            f"Value ({name}) for parameter prefixListName is invalid. "
            f"Prefix list names cannot start with {RESERVED_NAME_PREFIX}.",
        )


def _check_max_entries(max_entries: int) -> None:
    """MaxEntries between 1 and 1000."""
    if not 1 <= max_entries <= MAX_ENTRIES_LIMIT:
        raise DomainError(
            "InvalidParameterValue",
            f"Value ({max_entries}) for parameter maxEntries is invalid. "
            f"It must be between 1 and {MAX_ENTRIES_LIMIT}.",
        )


def _check_fits(plist_id: str, count: int, max_entries: int) -> None:
    """A list never holds more entries than its MaxEntries."""
    if count > max_entries:
        raise DomainError(
            "PrefixListMaxEntriesExceeded",
            f"The prefix list {plist_id} would have {count} entries; its maximum is {max_entries}.",
        )


def create(
    tx: Tx,
    *,
    name: str,
    address_family: str,
    max_entries: int,
    entries: Sequence[Mapping[str, Any]] = (),
    tags: Tags = (),
    quotas: bool = False,
) -> PrefixList:
    """CreateManagedPrefixList: IPv4 or IPv6, 1..1000 entries, name outside com.amazonaws."""
    _check_name(name)
    if address_family not in ("IPv4", "IPv6"):
        raise DomainError(
            "InvalidParameterValue",
            f"Value ({address_family}) for parameter addressFamily is invalid. "
            "Valid values are IPv4 and IPv6.",
        )
    _check_max_entries(max_entries)
    if quotas and sum(1 for p in tx.iter(PrefixList) if not p.aws_managed) >= MAX_CUSTOMER_LISTS:
        raise DomainError(
            "PrefixListLimitExceeded", "The maximum number of prefix lists has been reached."
        )
    plist_id = new_id("pl")
    parsed = _entries(entries, address_family)
    _check_fits(plist_id, len(parsed), max_entries)
    plist = PrefixList(
        id=plist_id,
        name=name,
        address_family=address_family,
        max_entries=max_entries,
        entries=tuple(parsed),
        tags=tags,
    )
    tx.put(plist)
    return plist


def require_customer(tx: Tx, plist_id: str) -> PrefixList:
    """A customer-managed list of the caller; AWS-managed lists cannot be changed."""
    plist = require(tx, PrefixList, plist_id)
    if plist.aws_managed:
        raise DomainError(
            "UnauthorizedOperation",
            f"The prefix list {plist_id} is managed by AWS and cannot be modified or deleted.",
        )
    return plist


def modify(
    tx: Tx,
    plist_id: str,
    *,
    current_version: int | None = None,
    name: str | None = None,
    add: Sequence[Mapping[str, Any]] = (),
    remove: Sequence[Mapping[str, Any]] = (),
    max_entries: int | None = None,
) -> PrefixList:
    """ModifyManagedPrefixList: rename, resize, or add/remove entries (bumping the version)."""
    plist = require_customer(tx, plist_id)
    if current_version is not None and current_version != plist.version:
        raise DomainError(
            "PrefixListVersionMismatch", "The prefix list has the incorrect version number."
        )
    changes_entries = bool(add or remove)
    if changes_entries and max_entries is not None:
        raise DomainError(
            "InvalidParameterCombination",
            "You cannot modify the entries and the maximum entries for the prefix list "
            "in the same request.",
        )
    if changes_entries and current_version is None:
        raise DomainError(
            "MissingParameter", "The request must contain the parameter currentVersion"
        )
    updated = plist
    if name is not None:
        _check_name(name)
        updated = evolve(updated, name=name)
    if max_entries is not None:
        _check_max_entries(max_entries)
        _check_fits(plist_id, len(plist.entries), max_entries)
        updated = evolve(updated, max_entries=max_entries)
    if changes_entries:
        updated = _with_entry_changes(plist, updated, add, remove)
    tx.put(updated)
    if max_entries is not None:
        _check_referencing_groups(tx, updated)
    return updated


def _with_entry_changes(
    plist: PrefixList,
    updated: PrefixList,
    add: Sequence[Mapping[str, Any]],
    remove: Sequence[Mapping[str, Any]],
) -> PrefixList:
    """The list after removing then adding entries: a new version, the old one kept in history."""
    current = {e.cidr: e for e in plist.entries}
    for spec in remove:
        cidr = canonical_entry_cidr(spec["Cidr"], plist.address_family)
        if cidr not in current:
            raise DomainError(
                "InvalidPrefixListModification",
                f"The CIDR {cidr} does not exist in the prefix list {plist.id}.",
            )
        del current[cidr]
    for entry in _entries(add, plist.address_family):
        current[entry.cidr] = entry
    limit = plist.max_entries or MAX_ENTRIES_LIMIT
    _check_fits(plist.id, len(current), limit)
    past = PrefixListVersion(version=plist.version, entries=plist.entries)
    return evolve(
        updated,
        entries=tuple(current.values()),
        version=plist.version + 1,
        history=(*plist.history, past),
    )


def _check_referencing_groups(tx: Tx, plist: PrefixList) -> None:
    """A bigger MaxEntries must still fit every referencing group's rule quota (SG-19)."""
    for group in tx.iter(SecurityGroup):
        if any(r.prefix_list_id == plist.id for r in group.rules):
            check_rule_quota(tx, group)


def entries_at(plist: PrefixList, target_version: int | None) -> tuple[PrefixListEntry, ...]:
    """The entries of a list now, or at an earlier version."""
    if target_version is None or target_version == plist.version:
        return plist.entries
    for past in plist.history:
        if past.version == target_version:
            return past.entries
    raise DomainError(
        "InvalidParameterValue",
        f"Value ({target_version}) for parameter targetVersion is invalid. "
        f"The prefix list {plist.id} has no version {target_version}.",
    )


def associations(view: View, plist_id: str) -> list[tuple[str, str]]:
    """(resource id, owner) of every route table and security group that uses the list."""
    used = [
        (rt.id, view.account)
        for rt in view.all(RouteTable)
        if any(r.destination_prefix_list == plist_id for r in rt.routes)
    ]
    used += [
        (sg.id, view.account)
        for sg in view.all(SecurityGroup)
        if any(r.prefix_list_id == plist_id for r in sg.rules)
    ]
    return used


def delete(tx: Tx, plist_id: str) -> PrefixList:
    """DeleteManagedPrefixList: refused while a route or security group rule references it."""
    plist = require_customer(tx, plist_id)
    users = associations(tx, plist_id)
    if users:
        raise DomainError(
            "DependencyViolation",
            f"The prefix list {plist_id} is referenced by {users[0][0]} and cannot be deleted.",
        )
    tx.delete(PrefixList, plist_id)
    return plist

"""VPC peering connections: the PCX-2 state machine across accounts and regions (spec section 8).

The record lives in both sides' partitions (each with its own tags, PCX-14); every change is
written to both copies in the same transaction. `expired` is derived from `expiration_time`
when read, and the visibility windows of terminal connections (PCX-3) from `changed_at`.
"""

from __future__ import annotations

import ipaddress
from dataclasses import dataclass, replace

from vpclab.control.lookup import missing, require
from vpclab.control.store import Tx
from vpclab.model.base import Tags, evolve
from vpclab.model.errors import DomainError
from vpclab.model.ids import has_prefix, new_id
from vpclab.model.peering import PeeringSide, VpcPeeringConnection
from vpclab.model.regions import is_region
from vpclab.model.state import View
from vpclab.model.vpc import Vpc

HOUR = 3600.0
DAY = 24 * HOUR
EXPIRY = 168 * HOUR  # unaccepted requests expire after 7 days (PCX-2, PCX-17)
MAX_OUTSTANDING_PER_ACCOUNT = 25
MAX_ACTIVE_PER_VPC = 50
FAILED_MESSAGE = "Failed due to incorrect VPC-ID, Account ID, or overlapping CIDR range"
OUTSTANDING = ("initiating-request", "pending-acceptance")
CONNECTED = ("provisioning", "active")
BLOCKING = (*OUTSTANDING, *CONNECTED)  # AMB-18


@dataclass(frozen=True, slots=True)
class PeeringNow:
    """A peering as one side sees it now: the stored record plus its derived status (AMB-1)."""

    pcx: VpcPeeringConnection
    status: str
    message: str
    since: float

    @property
    def id(self) -> str:
        """The pcx- id (so Describe can sort and paginate by it)."""
        return self.pcx.id


def current(pcx: VpcPeeringConnection, now: float, settle: float = 0.0) -> PeeringNow:
    """The status at `now` (AMB-1, PCX-2): transitional until `settle` seconds have passed,
    and a pending request past its expiration time is expired."""
    fresh = pcx.changed_at == pcx.created_at and now < pcx.created_at + settle
    if fresh and pcx.status in ("pending-acceptance", "failed"):
        message = f"Initiating Request to {pcx.accepter.owner_id}"
        return PeeringNow(pcx, "initiating-request", message, pcx.created_at)
    if pcx.status == "active" and now < pcx.changed_at + settle:
        return PeeringNow(pcx, "provisioning", "Provisioning", pcx.changed_at)
    if pcx.status == "pending-acceptance" and now >= pcx.expiration_time:
        return PeeringNow(pcx, "expired", "Expired", pcx.expiration_time)
    return PeeringNow(pcx, pcx.status, pcx.status_message, pcx.changed_at)


def seen_now(pcx: VpcPeeringConnection, view: View) -> PeeringNow:
    """The status as a view sees it now, with its clock's settle delay."""
    return current(pcx, view.now(), view.clock.settle_seconds)


def _here(view: View) -> tuple[str, str]:
    """The caller's partition."""
    return (view.account, view.region)


def _same_account(pcx: VpcPeeringConnection) -> bool:
    """Whether both VPCs belong to one account."""
    return pcx.requester.owner_id == pcx.accepter.owner_id


def visible_window(state: PeeringNow, viewer: tuple[str, str]) -> float | None:
    """How long a terminal connection stays listed for this viewer (PCX-3); None = no limit."""
    pcx = state.pcx
    is_requester = viewer == pcx.requester.partition()
    short = 2 * HOUR
    long = short if _same_account(pcx) else 2 * DAY
    if state.status == "failed":
        return (
            short  # only its holders see it: a request failed at creation stays with the requester
        )
    if state.status == "expired":
        return 2 * DAY
    if state.status == "rejected":
        return long if is_requester and viewer != pcx.accepter.partition() else short
    if state.status == "deleted":
        return short if pcx.ended_by == "/".join(viewer) else long
    return None


def is_visible(state: PeeringNow, viewer: tuple[str, str], now: float) -> bool:
    """Whether the viewer still sees the connection at all."""
    window = visible_window(state, viewer)
    return window is None or now < state.since + window


def visible(view: View) -> list[PeeringNow]:
    """The connections the caller sees now, sorted by id."""
    now = view.now()
    states = (seen_now(pcx, view) for pcx in view.all(VpcPeeringConnection))
    return [s for s in states if is_visible(s, _here(view), now)]


def require_visible(view: View, pcx_id: str) -> PeeringNow:
    """A connection the caller can see, or InvalidVpcPeeringConnectionID.NotFound (PCX-18)."""
    state = seen_now(require(view, VpcPeeringConnection, pcx_id), view)
    if not is_visible(state, _here(view), view.now()):
        raise missing(VpcPeeringConnection, pcx_id)
    return state


def select_visible(view: View, ids: list[str] | None) -> list[PeeringNow]:
    """All visible connections, or exactly the ids asked for (an unseen id is an error)."""
    if not ids:
        return visible(view)
    return [require_visible(view, pcx_id) for pcx_id in sorted(set(ids))]


def side_vpc(view: View, side: PeeringSide) -> Vpc | None:
    """The VPC at one end, read from its own partition (None if it does not exist)."""
    return view.other(side.owner_id, side.region).get(Vpc, side.vpc_id)


def side_blocks(view: View, side: PeeringSide) -> tuple[tuple[str, ...], tuple[str, ...]]:
    """One end's IPv4 and IPv6 blocks: live when the VPC exists, else as last seen."""
    vpc = side_vpc(view, side)
    if vpc is None:
        return side.cidr_blocks, side.ipv6_cidr_blocks
    return vpc.cidrs(), tuple(a.cidr for a in vpc.ipv6_associations if a.state == "associated")


def _snapshot(side: PeeringSide, vpc: Vpc) -> PeeringSide:
    """The side with the VPC's current blocks recorded."""
    v6 = tuple(a.cidr for a in vpc.ipv6_associations if a.state == "associated")
    return replace(side, cidr_blocks=vpc.cidrs(), ipv6_cidr_blocks=v6)


def blocks_overlap(a: Vpc, b: Vpc) -> bool:
    """Whether any IPv4 block (primary or secondary) or IPv6 block of one overlaps the other (PCX-4)."""
    nets_a = [ipaddress.ip_network(c) for c in (*a.cidrs(), *(x.cidr for x in a.ipv6_associations))]
    nets_b = [ipaddress.ip_network(c) for c in (*b.cidrs(), *(x.cidr for x in b.ipv6_associations))]
    return any(x.version == y.version and x.overlaps(y) for x in nets_a for y in nets_b)


def _write_both(tx: Tx, pcx: VpcPeeringConnection) -> None:
    """Store a new state in both sides' partitions, keeping each copy's own tags (PCX-14)."""
    for partition in dict.fromkeys((pcx.requester.partition(), pcx.accepter.partition())):
        part = tx.other(*partition)
        existing = part.get(VpcPeeringConnection, pcx.id)
        if existing is not None:
            part.put(pcx.with_tags(existing.tags))


def _same_pair(pcx: VpcPeeringConnection, a: PeeringSide, b: PeeringSide) -> bool:
    """Whether a connection joins the same two VPCs (either direction)."""
    ends = {(s.owner_id, s.region, s.vpc_id) for s in (pcx.requester, pcx.accepter)}
    return ends == {(s.owner_id, s.region, s.vpc_id) for s in (a, b)}


def create(
    tx: Tx,
    *,
    vpc_id: str,
    peer_vpc_id: str | None,
    peer_owner_id: str | None = None,
    peer_region: str | None = None,
    tags: Tags = (),
    quotas: bool = False,
) -> VpcPeeringConnection:
    """CreateVpcPeeringConnection: a request that is pending-acceptance, or failed (PCX-1, PCX-4, PCX-5)."""
    vpc = require(tx, Vpc, vpc_id)
    if peer_vpc_id is None:
        raise DomainError("MissingParameter", "The request must contain the parameter peerVpcId")
    owner = peer_owner_id or tx.account
    region = peer_region or tx.region
    if not (len(owner) == 12 and owner.isdigit()):
        raise DomainError(
            "InvalidParameterValue", f"Value ({owner}) for parameter peerOwnerId is invalid."
        )
    if not is_region(region):
        raise DomainError(
            "InvalidParameterValue", f"Value ({region}) for parameter peerRegion is invalid."
        )
    if not has_prefix(peer_vpc_id, "vpc"):
        raise missing(Vpc, peer_vpc_id)
    requester = PeeringSide(owner_id=tx.account, region=tx.region, vpc_id=vpc_id)
    accepter = PeeringSide(owner_id=owner, region=region, vpc_id=peer_vpc_id)
    if requester == accepter:
        raise DomainError(
            "InvalidParameterValue",
            f"Value ({peer_vpc_id}) for parameter peerVpcId is invalid. "
            "A VPC cannot be peered with itself.",
        )
    local_peer = accepter.partition() == requester.partition()
    peer = require(tx, Vpc, peer_vpc_id) if local_peer else side_vpc(tx, accepter)
    now = tx.now()
    for state in (seen_now(p, tx) for p in tx.iter(VpcPeeringConnection)):
        if state.status in BLOCKING and _same_pair(state.pcx, requester, accepter):
            raise DomainError(
                "VpcPeeringConnectionAlreadyExists",
                f"A VPC peering connection ({state.pcx.id}) already exists between "
                f"{vpc_id} and {peer_vpc_id}.",
            )
    if quotas:
        _check_outstanding(tx)
    failed = peer is None or blocks_overlap(vpc, peer)
    pcx = VpcPeeringConnection(
        id=new_id("pcx"),
        requester=_snapshot(requester, vpc),
        accepter=accepter,
        status="failed" if failed else "pending-acceptance",
        status_message=FAILED_MESSAGE if failed else f"Pending Acceptance by {owner}",
        created_at=now,
        expiration_time=now + EXPIRY,
        changed_at=now,
    )
    created = pcx.with_tags(tags)
    tx.put(created)
    if not failed and not local_peer:
        # The accepter's own copy, without the requester's tags; a failed request never reaches it.
        tx.other(*accepter.partition()).put(pcx)
    return created


def _check_outstanding(tx: Tx) -> None:
    """PCX-17: at most 25 outstanding (pending) requests per account."""
    pending = sum(
        1
        for p in tx.iter(VpcPeeringConnection)
        if p.requester.owner_id == tx.account and seen_now(p, tx).status in OUTSTANDING
    )
    if pending >= MAX_OUTSTANDING_PER_ACCOUNT:
        raise DomainError(
            "OutstandingVpcPeeringConnectionLimitExceeded",
            f"You have reached the maximum number of outstanding VPC peering connection requests "
            f"({MAX_OUTSTANDING_PER_ACCOUNT}).",
        )


def _invalid_transition(state: PeeringNow, target: str) -> DomainError:
    """InvalidStateTransition for an action the current status does not allow (PCX-6, PCX-7)."""
    return DomainError(
        "InvalidStateTransition",
        f"Invalid state transition for {state.pcx.id}, attempted to transition from "
        f"{state.status} to {target}",
    )


def _require_accepter(tx: Tx, state: PeeringNow, action: str) -> None:
    """Only the accepter VPC's owner, in the accepter's region, may accept or reject (PCX-6)."""
    acc = state.pcx.accepter
    if _here(tx) == acc.partition():
        return
    if tx.account == acc.owner_id:
        raise DomainError(
            "OperationNotPermitted",
            f"Incorrect region ({tx.region}) specified for this request. VPC peering connection "
            f"{state.pcx.id} must be {action}ed in region {acc.region}",
        )
    raise DomainError(
        "OperationNotPermitted",
        f"User {tx.account} cannot {action} peering {state.pcx.id}: only the owner of the accepter "
        f"VPC ({acc.owner_id}) can {action} it",
    )


def _active_count(view: View, vpc_id: str) -> int:
    """How many active peerings a VPC has (PCX-17)."""
    return sum(
        1
        for p in view.iter(VpcPeeringConnection)
        if seen_now(p, view).status in CONNECTED
        and vpc_id in (p.requester.vpc_id, p.accepter.vpc_id)
    )


def accept(tx: Tx, pcx_id: str, *, quotas: bool = False) -> VpcPeeringConnection:
    """AcceptVpcPeeringConnection: pending-acceptance -> active, by the accepter (PCX-2, PCX-6)."""
    state = require_visible(tx, pcx_id)
    _require_accepter(tx, state, "accept")
    if state.status != "pending-acceptance":
        raise _invalid_transition(state, "active")
    pcx = state.pcx
    now = tx.now()
    mine = require(tx, Vpc, pcx.accepter.vpc_id)
    theirs = side_vpc(tx, pcx.requester)
    if theirs is None or blocks_overlap(mine, theirs):
        # VPC-13: a block the accepter added since the request overlaps the requester.
        failed = evolve(pcx, status="failed", status_message=FAILED_MESSAGE, changed_at=now)
        _write_both(tx, failed)
        return _local(tx, failed)
    if quotas:
        for side, view in (
            (pcx.accepter, tx),
            (pcx.requester, tx.other(*pcx.requester.partition())),
        ):
            if _active_count(view, side.vpc_id) >= MAX_ACTIVE_PER_VPC:
                raise DomainError(
                    "ActiveVpcPeeringConnectionPerVpcLimitExceeded",
                    f"The VPC {side.vpc_id} has reached the maximum number of active VPC peering "
                    f"connections ({MAX_ACTIVE_PER_VPC}).",
                )
    active = evolve(
        pcx,
        accepter=_snapshot(pcx.accepter, mine),
        requester=_snapshot(pcx.requester, theirs),
        status="active",
        status_message="Active",
        changed_at=now,
    )
    _write_both(tx, active)
    return _local(tx, active)


def _local(tx: Tx, pcx: VpcPeeringConnection) -> VpcPeeringConnection:
    """The caller's own copy (its tags) of a connection just written."""
    found = tx.get(VpcPeeringConnection, pcx.id)
    return found if found is not None else pcx


def reject(tx: Tx, pcx_id: str) -> None:
    """RejectVpcPeeringConnection: pending-acceptance -> rejected, by the accepter (PCX-7)."""
    state = require_visible(tx, pcx_id)
    _require_accepter(tx, state, "reject")
    if state.status != "pending-acceptance":
        raise _invalid_transition(state, "rejected")
    ended = evolve(
        state.pcx,
        status="rejected",
        status_message=f"Rejected by {tx.account}",
        changed_at=tx.now(),
        ended_by="/".join(_here(tx)),
    )
    _write_both(tx, ended)


def delete(tx: Tx, pcx_id: str) -> None:
    """DeleteVpcPeeringConnection: either owner while active, the requester while pending (PCX-7)."""
    state = require_visible(tx, pcx_id)
    pcx = state.pcx
    is_requester = _here(tx) == pcx.requester.partition()
    if state.status == "pending-acceptance" and not is_requester:
        raise DomainError(
            "OperationNotPermitted",
            f"The accepter cannot delete the pending VPC peering connection {pcx_id}; reject it instead",
        )
    if state.status not in ("pending-acceptance", *CONNECTED):
        raise _invalid_transition(state, "deleted")
    ended = evolve(
        pcx,
        status="deleted",
        status_message=f"Deleted by {tx.account}",
        changed_at=tx.now(),
        ended_by="/".join(_here(tx)),
    )
    _write_both(tx, ended)


def modify_options(
    tx: Tx, pcx_id: str, requester_dns: bool | None, accepter_dns: bool | None
) -> VpcPeeringConnection:
    """ModifyVpcPeeringConnectionOptions: DNS resolution on an active peering (PCX-15)."""
    state = require_visible(tx, pcx_id)
    pcx = state.pcx
    if state.status != "active":
        raise DomainError(
            "OperationNotPermitted",
            f"VPC peering connection {pcx_id} is {state.status}; options can only be modified "
            "while it is active",
        )
    changes: dict[str, PeeringSide] = {}
    for role, wanted in (("requester", requester_dns), ("accepter", accepter_dns)):
        if wanted is None:
            continue
        side: PeeringSide = getattr(pcx, role)
        if _here(tx) != side.partition():
            raise DomainError(
                "OperationNotPermitted",
                f"User {tx.account} in {tx.region} cannot modify the {role} options of {pcx_id}; "
                f"they belong to {side.owner_id} in {side.region}",
            )
        changes[role] = replace(side, allow_dns_resolution_from_remote_vpc=wanted)
    if any(side.allow_dns_resolution_from_remote_vpc for side in changes.values()):
        for end in (pcx.requester, pcx.accepter):
            vpc = side_vpc(tx, end)
            if vpc is None or not (vpc.enable_dns_hostnames and vpc.enable_dns_support):
                raise DomainError(
                    "InvalidVpcPeeringConnectionState.DnsHostnamesDisabled",
                    "To enable DNS hostname resolution for the VPC peering connection, DNS "
                    "hostname support must be enabled for the VPCs.",
                )
    changed = evolve(pcx, **changes)
    _write_both(tx, changed)
    return _local(tx, changed)


def _ends_at(pcx: VpcPeeringConnection, view: View, vpc_id: str) -> bool:
    """Whether one end of the connection is this VPC of the viewer's partition."""
    return any(
        side.vpc_id == vpc_id and side.partition() == _here(view)
        for side in (pcx.requester, pcx.accepter)
    )


def blocks_vpc_deletion(view: View, vpc_id: str) -> bool:
    """VPC-26: a VPC with an unexpired request pending from another account cannot be deleted."""
    return any(
        state.status in OUTSTANDING
        and state.pcx.accepter.vpc_id == vpc_id
        and state.pcx.accepter.partition() == _here(view)
        and state.pcx.requester.owner_id != view.account
        for state in (seen_now(pcx, view) for pcx in view.iter(VpcPeeringConnection))
    )


def end_for_vpc(tx: Tx, vpc_id: str) -> None:
    """A deleted VPC ends its live peerings on both sides, each side keeping its tags (AMB-16)."""
    for pcx in tx.all(VpcPeeringConnection):
        if not _ends_at(pcx, tx, vpc_id) or seen_now(pcx, tx).status not in BLOCKING:
            continue
        ended = evolve(
            pcx,
            status="deleted",
            status_message=f"Deleted by {tx.account}",
            changed_at=tx.now(),
            ended_by="/".join(_here(tx)),
        )
        _write_both(tx, ended)

"""Spec section 8 (PCX-1..PCX-19), VPC-13, VPC-26, AMB-16 and AMB-18 through boto3."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

import pytest

from tests.support import aws_error, client
from vpclab.api.context import Settings
from vpclab.api.dispatch import Api
from vpclab.control import peering
from vpclab.control.store import Store
from vpclab.model.ids import new_id
from vpclab.model.peering import PeeringSide, VpcPeeringConnection
from vpclab.model.state import Clock
from vpclab.model.vpc import CidrAssociation, Vpc

ME = "123456789012"
THEM = "111122223333"
HOUR = 3600.0


def make_vpc(ec2: Any, cidr: str) -> str:
    """Create a VPC and return its id."""
    vpc_id: str = ec2.create_vpc(CidrBlock=cidr)["Vpc"]["VpcId"]
    return vpc_id


def request(ec2: Any, vpc_id: str, peer_vpc_id: str, **extra: Any) -> dict[str, Any]:
    """CreateVpcPeeringConnection's VpcPeeringConnection."""
    pcx: dict[str, Any] = ec2.create_vpc_peering_connection(
        VpcId=vpc_id, PeerVpcId=peer_vpc_id, **extra
    )["VpcPeeringConnection"]
    return pcx


def seen(ec2: Any, pcx_id: str) -> dict[str, Any] | None:
    """The connection as this client's side sees it, or None when it is not listed."""
    for item in ec2.describe_vpc_peering_connections()["VpcPeeringConnections"]:
        if item["VpcPeeringConnectionId"] == pcx_id:
            return dict(item)
    return None


def status(ec2: Any, pcx_id: str) -> str | None:
    """The status code this side sees (None when it does not see the connection)."""
    found = seen(ec2, pcx_id)
    return None if found is None else str(found["Status"]["Code"])


@pytest.fixture
def them(make_client: Any) -> Any:
    """Account 111122223333 in us-east-1."""
    return make_client(access_key=THEM)


@pytest.fixture
def west(make_client: Any) -> Any:
    """The default account in us-west-2."""
    return make_client(region="us-west-2")


@pytest.fixture
def pair(ec2: Any) -> tuple[str, str]:
    """Two non-overlapping VPCs of the caller."""
    return make_vpc(ec2, "10.0.0.0/16"), make_vpc(ec2, "10.1.0.0/16")


@pytest.fixture
def cross(ec2: Any, them: Any) -> tuple[str, str, str]:
    """A pending request from my VPC to a VPC of account 111122223333: (pcx, my vpc, their vpc)."""
    mine, theirs = make_vpc(ec2, "10.0.0.0/16"), make_vpc(them, "10.2.0.0/16")
    pcx = request(ec2, mine, theirs, PeerOwnerId=THEM)["VpcPeeringConnectionId"]
    return pcx, mine, theirs


def test_pcx_1_create_defaults_to_own_account_and_region(
    ec2: Any, clock: Clock, pair: tuple[str, str]
) -> None:
    """The request defaults to the caller's account and region, expiring in 168 h."""
    vpc_id, peer_id = pair
    before = datetime.fromtimestamp(clock.now(), tz=UTC)
    created = request(ec2, vpc_id, peer_id)
    assert created["VpcPeeringConnectionId"].startswith("pcx-")
    assert created["Status"] == {
        "Code": "initiating-request",
        "Message": f"Initiating Request to {ME}",
    }
    assert created["RequesterVpcInfo"] == {
        "VpcId": vpc_id,
        "OwnerId": ME,
        "Region": "us-east-1",
        "CidrBlock": "10.0.0.0/16",
        "CidrBlockSet": [{"CidrBlock": "10.0.0.0/16"}],
    }
    assert created["AccepterVpcInfo"] == {"VpcId": peer_id, "OwnerId": ME, "Region": "us-east-1"}
    expiry = created["ExpirationTime"] - before
    assert timedelta(hours=168) <= expiry < timedelta(hours=168, seconds=5)
    shown = seen(ec2, created["VpcPeeringConnectionId"])
    assert shown is not None
    assert shown["Status"] == {
        "Code": "pending-acceptance",
        "Message": f"Pending Acceptance by {ME}",
    }


def test_pcx_1_create_needs_an_existing_requester_vpc_and_a_peer(
    ec2: Any, pair: tuple[str, str]
) -> None:
    """Requester VPC, peer id and region are validated synchronously."""
    vpc_id, peer_id = pair
    assert aws_error(request, ec2, "vpc-0123456789abcdef0", peer_id)[0] == "InvalidVpcID.NotFound"
    assert aws_error(ec2.create_vpc_peering_connection, VpcId=vpc_id)[0] == "MissingParameter"
    assert aws_error(request, ec2, vpc_id, "banana")[0] == "InvalidVpcID.Malformed"
    assert (
        aws_error(request, ec2, vpc_id, peer_id, PeerRegion="mars-north-1")[0]
        == "InvalidParameterValue"
    )


def test_pcx_4_unknown_peer_in_same_account_and_region_is_an_api_error(
    ec2: Any, pair: tuple[str, str]
) -> None:
    """A missing peer VPC the caller owns here is a synchronous error."""
    code, _ = aws_error(request, ec2, pair[0], "vpc-0123456789abcdef0")
    assert code == "InvalidVpcID.NotFound"
    assert ec2.describe_vpc_peering_connections()["VpcPeeringConnections"] == []


def test_pcx_4_unknown_peer_elsewhere_is_created_then_failed(
    ec2: Any, them: Any, pair: tuple[str, str]
) -> None:
    """A missing peer VPC elsewhere gives a failed request, as AWS does."""
    pcx = request(ec2, pair[0], "vpc-0123456789abcdef0", PeerOwnerId=THEM)["VpcPeeringConnectionId"]
    shown = seen(ec2, pcx)
    assert shown is not None
    assert shown["Status"] == {
        "Code": "failed",
        "Message": "Failed due to incorrect VPC-ID, Account ID, or overlapping CIDR range",
    }
    assert seen(them, pcx) is None  # a failed request never reaches the other account


def test_pcx_4_overlapping_primary_cidrs_fail_without_an_api_error(ec2: Any) -> None:
    """Overlapping primary CIDRs fail the request, not the API call."""
    a, b = make_vpc(ec2, "10.0.0.0/16"), make_vpc(ec2, "10.0.128.0/17")
    created = request(ec2, a, b)
    assert created["Status"]["Code"] == "initiating-request"
    assert status(ec2, created["VpcPeeringConnectionId"]) == "failed"
    code, _ = aws_error(
        ec2.accept_vpc_peering_connection, VpcPeeringConnectionId=created["VpcPeeringConnectionId"]
    )
    assert code == "InvalidStateTransition"


def test_pcx_4_overlap_through_a_secondary_cidr_fails(ec2: Any, them: Any) -> None:
    """A secondary CIDR overlap fails the request as well."""
    mine, theirs = make_vpc(ec2, "10.0.0.0/16"), make_vpc(them, "10.5.0.0/16")
    ec2.associate_vpc_cidr_block(VpcId=mine, CidrBlock="10.6.0.0/16")
    them.associate_vpc_cidr_block(VpcId=theirs, CidrBlock="10.6.0.0/24")
    pcx = request(ec2, mine, theirs, PeerOwnerId=THEM)["VpcPeeringConnectionId"]
    assert status(ec2, pcx) == "failed"


def test_vpc_13_accepter_block_overlapping_the_requester_fails_the_request(
    ec2: Any, them: Any, cross: tuple[str, str, str]
) -> None:
    """An overlapping block added by the accepter makes the request fail."""
    pcx, _, theirs = cross
    them.associate_vpc_cidr_block(VpcId=theirs, CidrBlock="10.0.0.0/20")  # overlaps the requester
    answer = them.accept_vpc_peering_connection(VpcPeeringConnectionId=pcx)["VpcPeeringConnection"]
    assert answer["Status"]["Code"] == "failed"
    assert status(ec2, pcx) == "failed"
    assert (
        aws_error(them.accept_vpc_peering_connection, VpcPeeringConnectionId=pcx)[0]
        == "InvalidStateTransition"
    )


def test_pcx_2_accept_answers_provisioning_then_active(ec2: Any, pair: tuple[str, str]) -> None:
    """Accept answers provisioning; Describe then shows active with options."""
    vpc_id, peer_id = pair
    pcx = request(ec2, vpc_id, peer_id)["VpcPeeringConnectionId"]
    answer = ec2.accept_vpc_peering_connection(VpcPeeringConnectionId=pcx)["VpcPeeringConnection"]
    assert answer["Status"] == {"Code": "provisioning", "Message": "Provisioning"}
    assert answer["AccepterVpcInfo"]["CidrBlock"] == "10.1.0.0/16"
    shown = seen(ec2, pcx)
    assert shown is not None
    assert shown["Status"] == {"Code": "active", "Message": "Active"}
    assert "ExpirationTime" not in shown
    for side in ("RequesterVpcInfo", "AccepterVpcInfo"):
        assert shown[side]["PeeringOptions"]["AllowDnsResolutionFromRemoteVpc"] is False
    assert (
        aws_error(ec2.accept_vpc_peering_connection, VpcPeeringConnectionId=pcx)[0]
        == "InvalidStateTransition"
    )


def test_pcx_2_unaccepted_request_expires_after_168_hours(
    ec2: Any, them: Any, clock: Clock, cross: tuple[str, str, str]
) -> None:
    """An unaccepted request expires at 168 h and is listed two more days."""
    pcx = cross[0]
    clock.advance(167 * HOUR)
    assert status(them, pcx) == "pending-acceptance"
    clock.advance(HOUR)
    assert status(ec2, pcx) == "expired"
    assert seen(them, pcx)["Status"] == {"Code": "expired", "Message": "Expired"}  # type: ignore[index]
    assert (
        aws_error(them.accept_vpc_peering_connection, VpcPeeringConnectionId=pcx)[0]
        == "InvalidStateTransition"
    )
    clock.advance(2 * 24 * HOUR)  # PCX-3: expired ones stay listed two days on both sides
    assert seen(ec2, pcx) is None and seen(them, pcx) is None


def test_pcx_6_cross_account_only_the_accepter_may_accept(
    ec2: Any, them: Any, cross: tuple[str, str, str]
) -> None:
    """Across accounts only the accepter's owner can accept."""
    pcx, mine, theirs = cross
    incoming = seen(them, pcx)
    assert incoming is not None and incoming["Status"]["Code"] == "pending-acceptance"
    assert incoming["RequesterVpcInfo"]["OwnerId"] == ME
    code, _ = aws_error(ec2.accept_vpc_peering_connection, VpcPeeringConnectionId=pcx)
    assert code == "OperationNotPermitted"
    assert status(ec2, pcx) == "pending-acceptance"
    them.accept_vpc_peering_connection(VpcPeeringConnectionId=pcx)
    assert status(ec2, pcx) == status(them, pcx) == "active"
    mine_view = seen(ec2, pcx)
    assert mine_view is not None
    assert mine_view["AccepterVpcInfo"] == {
        "VpcId": theirs,
        "OwnerId": THEM,
        "Region": "us-east-1",
        "CidrBlock": "10.2.0.0/16",
        "CidrBlockSet": [{"CidrBlock": "10.2.0.0/16"}],
        "PeeringOptions": {
            "AllowDnsResolutionFromRemoteVpc": False,
            "AllowEgressFromLocalClassicLinkToRemoteVpc": False,
            "AllowEgressFromLocalVpcToRemoteClassicLink": False,
        },
    }
    assert mine_view["RequesterVpcInfo"]["VpcId"] == mine


def test_pcx_6_cross_region_is_accepted_only_in_the_accepter_region(ec2: Any, west: Any) -> None:
    """Across regions acceptance happens in the accepter's region."""
    mine, theirs = make_vpc(ec2, "10.0.0.0/16"), make_vpc(west, "10.3.0.0/16")
    created = request(ec2, mine, theirs, PeerRegion="us-west-2")
    pcx = created["VpcPeeringConnectionId"]
    assert created["AccepterVpcInfo"]["Region"] == "us-west-2"
    code, message = aws_error(ec2.accept_vpc_peering_connection, VpcPeeringConnectionId=pcx)
    assert code == "OperationNotPermitted"
    assert "us-west-2" in message
    west.accept_vpc_peering_connection(VpcPeeringConnectionId=pcx)
    assert status(ec2, pcx) == status(west, pcx) == "active"


def test_pcx_7_reject_only_by_the_accepter_while_pending(
    ec2: Any, them: Any, cross: tuple[str, str, str]
) -> None:
    """Only the accepter rejects, only while pending; rejected is terminal."""
    pcx = cross[0]
    assert (
        aws_error(ec2.reject_vpc_peering_connection, VpcPeeringConnectionId=pcx)[0]
        == "OperationNotPermitted"
    )
    assert them.reject_vpc_peering_connection(VpcPeeringConnectionId=pcx)["Return"] is True
    shown = seen(ec2, pcx)
    assert shown is not None
    assert shown["Status"] == {"Code": "rejected", "Message": f"Rejected by {THEM}"}
    for call in (them.reject_vpc_peering_connection, them.accept_vpc_peering_connection):
        assert aws_error(call, VpcPeeringConnectionId=pcx)[0] == "InvalidStateTransition"
    assert (
        aws_error(ec2.delete_vpc_peering_connection, VpcPeeringConnectionId=pcx)[0]
        == "InvalidStateTransition"
    )


def test_pcx_7_requester_deletes_pending_request_accepter_cannot(
    ec2: Any, them: Any, cross: tuple[str, str, str]
) -> None:
    """A pending request is deleted by its requester, never the accepter."""
    pcx = cross[0]
    assert (
        aws_error(them.delete_vpc_peering_connection, VpcPeeringConnectionId=pcx)[0]
        == "OperationNotPermitted"
    )
    assert ec2.delete_vpc_peering_connection(VpcPeeringConnectionId=pcx)["Return"] is True
    assert status(ec2, pcx) == status(them, pcx) == "deleted"
    assert seen(them, pcx)["Status"]["Message"] == f"Deleted by {ME}"  # type: ignore[index]


def test_pcx_7_either_owner_deletes_an_active_peering(
    ec2: Any, them: Any, cross: tuple[str, str, str]
) -> None:
    """Either owner deletes an active peering; deleted is terminal."""
    pcx = cross[0]
    them.accept_vpc_peering_connection(VpcPeeringConnectionId=pcx)
    them.delete_vpc_peering_connection(VpcPeeringConnectionId=pcx)
    assert status(ec2, pcx) == "deleted"
    assert (
        aws_error(ec2.delete_vpc_peering_connection, VpcPeeringConnectionId=pcx)[0]
        == "InvalidStateTransition"
    )


def test_pcx_7_failed_connection_cannot_be_deleted(ec2: Any) -> None:
    """A failed request cannot be deleted."""
    a, b = make_vpc(ec2, "10.0.0.0/16"), make_vpc(ec2, "10.0.0.0/16")
    pcx = request(ec2, a, b)["VpcPeeringConnectionId"]
    assert (
        aws_error(ec2.delete_vpc_peering_connection, VpcPeeringConnectionId=pcx)[0]
        == "InvalidStateTransition"
    )


def test_pcx_3_rejected_stays_two_days_for_requester_two_hours_for_accepter(
    ec2: Any, them: Any, clock: Clock, cross: tuple[str, str, str]
) -> None:
    """Rejected: listed 2 days to the requester, 2 h to the accepter."""
    pcx = cross[0]
    them.reject_vpc_peering_connection(VpcPeeringConnectionId=pcx)
    clock.advance(2 * HOUR)
    assert seen(them, pcx) is None
    assert status(ec2, pcx) == "rejected"
    assert aws_error(them.describe_vpc_peering_connections, VpcPeeringConnectionIds=[pcx])[0] == (
        "InvalidVpcPeeringConnectionID.NotFound"
    )
    clock.advance(46 * HOUR)
    assert seen(ec2, pcx) is None


def test_pcx_3_deleted_stays_two_hours_for_deleter_two_days_for_the_other(
    ec2: Any, them: Any, clock: Clock, cross: tuple[str, str, str]
) -> None:
    """Deleted: listed 2 h to the deleter, 2 days to the other side."""
    pcx = cross[0]
    them.accept_vpc_peering_connection(VpcPeeringConnectionId=pcx)
    ec2.delete_vpc_peering_connection(VpcPeeringConnectionId=pcx)
    clock.advance(2 * HOUR)
    assert seen(ec2, pcx) is None
    assert status(them, pcx) == "deleted"
    clock.advance(46 * HOUR)
    assert seen(them, pcx) is None


def test_pcx_3_same_account_terminal_states_stay_two_hours(
    ec2: Any, clock: Clock, pair: tuple[str, str]
) -> None:
    """Within one account rejected and failed stay listed 2 h."""
    rejected = request(ec2, *pair)["VpcPeeringConnectionId"]
    ec2.reject_vpc_peering_connection(VpcPeeringConnectionId=rejected)
    failed = request(ec2, pair[0], make_vpc(ec2, "10.0.0.0/24"))["VpcPeeringConnectionId"]
    clock.advance(2 * HOUR - 1)
    assert status(ec2, rejected) == "rejected" and status(ec2, failed) == "failed"
    clock.advance(1)
    assert seen(ec2, rejected) is None and seen(ec2, failed) is None


def test_pcx_5_amb_18_one_live_connection_per_pair_either_direction(
    ec2: Any, pair: tuple[str, str]
) -> None:
    """One live peering per VPC pair, in either direction."""
    a, b = pair
    first = request(ec2, a, b)["VpcPeeringConnectionId"]
    for left, right in ((a, b), (b, a)):
        assert aws_error(request, ec2, left, right)[0] == "VpcPeeringConnectionAlreadyExists"
    ec2.accept_vpc_peering_connection(VpcPeeringConnectionId=first)
    assert aws_error(request, ec2, b, a)[0] == "VpcPeeringConnectionAlreadyExists"
    ec2.delete_vpc_peering_connection(VpcPeeringConnectionId=first)
    second = request(ec2, b, a)["VpcPeeringConnectionId"]  # a deleted one no longer blocks
    assert status(ec2, second) == "pending-acceptance"


def test_amb_18_peering_a_vpc_with_itself_is_invalid(ec2: Any, pair: tuple[str, str]) -> None:
    """A VPC cannot be peered with itself."""
    code, _ = aws_error(request, ec2, pair[0], pair[0])
    assert code == "InvalidParameterValue"


def test_pcx_14_tags_are_local_to_each_side(ec2: Any, them: Any, pair: tuple[str, str]) -> None:
    """Each side tags its own copy of the connection."""
    theirs = make_vpc(them, "10.9.0.0/16")
    tag_spec = [
        {"ResourceType": "vpc-peering-connection", "Tags": [{"Key": "Name", "Value": "to-them"}]}
    ]
    created = request(ec2, pair[0], theirs, PeerOwnerId=THEM, TagSpecifications=tag_spec)
    pcx = created["VpcPeeringConnectionId"]
    assert created["Tags"] == [{"Key": "Name", "Value": "to-them"}]
    assert seen(them, pcx)["Tags"] == []  # type: ignore[index]
    them.create_tags(Resources=[pcx], Tags=[{"Key": "Name", "Value": "from-me"}])
    them.accept_vpc_peering_connection(VpcPeeringConnectionId=pcx)
    assert seen(ec2, pcx)["Tags"] == [{"Key": "Name", "Value": "to-them"}]  # type: ignore[index]
    assert seen(them, pcx)["Tags"] == [{"Key": "Name", "Value": "from-me"}]  # type: ignore[index]
    filtered = them.describe_vpc_peering_connections(
        Filters=[{"Name": "tag:Name", "Values": ["to-them"]}]
    )
    assert filtered["VpcPeeringConnections"] == []


def test_pcx_15_dns_resolution_needs_active_peering_and_dns_hostnames(
    ec2: Any, them: Any, cross: tuple[str, str, str]
) -> None:
    """DNS resolution options need an active peering, DNS on both VPCs, own side."""
    pcx, mine, theirs = cross
    dns_on = {"AllowDnsResolutionFromRemoteVpc": True}
    code, _ = aws_error(
        ec2.modify_vpc_peering_connection_options,
        VpcPeeringConnectionId=pcx,
        RequesterPeeringConnectionOptions=dns_on,
    )
    assert code == "OperationNotPermitted"
    them.accept_vpc_peering_connection(VpcPeeringConnectionId=pcx)
    code, _ = aws_error(
        ec2.modify_vpc_peering_connection_options,
        VpcPeeringConnectionId=pcx,
        RequesterPeeringConnectionOptions=dns_on,
    )
    assert code == "InvalidVpcPeeringConnectionState.DnsHostnamesDisabled"
    ec2.modify_vpc_attribute(VpcId=mine, EnableDnsHostnames={"Value": True})
    them.modify_vpc_attribute(VpcId=theirs, EnableDnsHostnames={"Value": True})
    code, _ = aws_error(  # the requester cannot set the accepter's options
        ec2.modify_vpc_peering_connection_options,
        VpcPeeringConnectionId=pcx,
        AccepterPeeringConnectionOptions=dns_on,
    )
    assert code == "OperationNotPermitted"
    answer = ec2.modify_vpc_peering_connection_options(
        VpcPeeringConnectionId=pcx, RequesterPeeringConnectionOptions=dns_on
    )
    assert answer["RequesterPeeringConnectionOptions"]["AllowDnsResolutionFromRemoteVpc"] is True
    assert "AccepterPeeringConnectionOptions" not in answer
    shown = seen(them, pcx)
    assert shown is not None
    assert shown["RequesterVpcInfo"]["PeeringOptions"]["AllowDnsResolutionFromRemoteVpc"] is True
    assert shown["AccepterVpcInfo"]["PeeringOptions"]["AllowDnsResolutionFromRemoteVpc"] is False


def _seed(store: Store, status: str, count: int, vpc_id: str) -> None:
    """Put `count` connections of one VPC of mine in a given status straight into the store."""
    with store.transaction(ME, "us-east-1") as tx:
        for _ in range(count):
            tx.put(
                VpcPeeringConnection(
                    id=new_id("pcx"),
                    requester=PeeringSide(owner_id=ME, region="us-east-1", vpc_id=vpc_id),
                    accepter=PeeringSide(owner_id=THEM, region="us-east-1", vpc_id=new_id("vpc")),
                    status=status,
                    created_at=tx.now(),
                    changed_at=tx.now(),
                    expiration_time=tx.now() + 168 * HOUR,
                )
            )


def test_pcx_17_outstanding_requests_limited_with_quotas_on(
    store: Store, ec2: Any, pair: tuple[str, str]
) -> None:
    """25 outstanding requests per account with --quotas aws."""
    limited = client(Api(store, Settings(quotas="aws")))
    _seed(store, "pending-acceptance", 25, pair[0])
    code, _ = aws_error(request, limited, *pair)
    assert code == "OutstandingVpcPeeringConnectionLimitExceeded"
    request(ec2, *pair)  # quotas off: allowed


def test_pcx_17_active_peerings_per_vpc_limited_with_quotas_on(
    store: Store, ec2: Any, pair: tuple[str, str]
) -> None:
    """50 active peerings per VPC with --quotas aws."""
    limited = client(Api(store, Settings(quotas="aws")))
    _seed(store, "active", 50, pair[0])
    pcx = request(limited, *pair)["VpcPeeringConnectionId"]
    code, _ = aws_error(limited.accept_vpc_peering_connection, VpcPeeringConnectionId=pcx)
    assert code == "ActiveVpcPeeringConnectionPerVpcLimitExceeded"
    ec2.accept_vpc_peering_connection(VpcPeeringConnectionId=pcx)  # quotas off: allowed


def test_pcx_18_unknown_and_malformed_ids(ec2: Any) -> None:
    """Unknown and malformed pcx ids give EC2's distinct codes."""
    unknown = "pcx-0123456789abcdef0"
    for call in (
        ec2.accept_vpc_peering_connection,
        ec2.reject_vpc_peering_connection,
        ec2.delete_vpc_peering_connection,
    ):
        assert (
            aws_error(call, VpcPeeringConnectionId=unknown)[0]
            == "InvalidVpcPeeringConnectionID.NotFound"
        )
    assert aws_error(ec2.describe_vpc_peering_connections, VpcPeeringConnectionIds=["pcx"])[0] == (
        "InvalidVpcPeeringConnectionId.Malformed"
    )


def test_vpc_26_vpc_with_pending_request_from_another_account_cannot_be_deleted(
    ec2: Any, them: Any, cross: tuple[str, str, str]
) -> None:
    """A pending request from another account blocks DeleteVpc until rejected."""
    pcx, _, theirs = cross
    assert aws_error(them.delete_vpc, VpcId=theirs)[0] == "DependencyViolation"
    them.reject_vpc_peering_connection(VpcPeeringConnectionId=pcx)
    them.delete_vpc(VpcId=theirs)


def test_vpc_26_amb_16_deleting_a_vpc_ends_its_peerings_on_both_sides(
    ec2: Any, them: Any, cross: tuple[str, str, str], pair: tuple[str, str]
) -> None:
    """DeleteVpc ends its active and outgoing peerings on both sides."""
    active, mine, _ = cross
    them.accept_vpc_peering_connection(VpcPeeringConnectionId=active)
    outgoing = request(ec2, mine, pair[1])["VpcPeeringConnectionId"]
    ec2.delete_vpc(VpcId=mine)
    assert status(them, active) == "deleted"
    assert status(ec2, outgoing) == "deleted"


def test_describe_vpc_peering_connections_filters_and_pages(
    ec2: Any, them: Any, cross: tuple[str, str, str], pair: tuple[str, str]
) -> None:
    """Every DescribeVpcPeeringConnections filter selects what AWS would."""
    pcx, mine, theirs = cross
    local = request(ec2, *pair)["VpcPeeringConnectionId"]
    ec2.accept_vpc_peering_connection(VpcPeeringConnectionId=local)

    def ids(name: str, value: str) -> set[str]:
        """The ids one filter (plus any fixed ones) selects."""
        found = ec2.describe_vpc_peering_connections(Filters=[{"Name": name, "Values": [value]}])
        return {p["VpcPeeringConnectionId"] for p in found["VpcPeeringConnections"]}

    assert ids("vpc-peering-connection-id", pcx) == {pcx}
    assert ids("status-code", "pending-acceptance") == {pcx}
    assert ids("status-message", "Active") == {local}
    assert ids("requester-vpc-info.vpc-id", mine) == {pcx}
    assert ids("requester-vpc-info.owner-id", ME) == {pcx, local}
    assert ids("requester-vpc-info.cidr-block", "10.0.0.0/16") == {pcx, local}
    assert ids("accepter-vpc-info.vpc-id", theirs) == {pcx}
    assert ids("accepter-vpc-info.owner-id", THEM) == {pcx}
    assert ids("accepter-vpc-info.cidr-block", "10.1.0.0/16") == {local}
    assert ids("accepter-vpc-info.cidr-block", "10.2.0.0/16") == set()  # not shown while pending
    assert ids("expiration-time", "20*Z") == {pcx}
    first = ec2.describe_vpc_peering_connections(MaxResults=5)
    assert len(first["VpcPeeringConnections"]) == 2 and "NextToken" not in first
    code, _ = aws_error(
        ec2.describe_vpc_peering_connections, VpcPeeringConnectionIds=[pcx], MaxResults=5
    )
    assert code == "InvalidParameterCombination"


def test_amb_1_transitional_states_last_for_the_settle_delay(
    ec2: Any, clock: Clock, pair: tuple[str, str]
) -> None:
    """initiating-request and provisioning last for the clock's settle delay."""
    clock.settle_seconds = 10.0
    pcx = request(ec2, *pair)["VpcPeeringConnectionId"]
    assert status(ec2, pcx) == "initiating-request"
    assert (
        aws_error(ec2.accept_vpc_peering_connection, VpcPeeringConnectionId=pcx)[0]
        == "InvalidStateTransition"
    )
    clock.advance(10)
    assert status(ec2, pcx) == "pending-acceptance"
    ec2.accept_vpc_peering_connection(VpcPeeringConnectionId=pcx)
    assert status(ec2, pcx) == "provisioning"
    clock.advance(10)
    assert status(ec2, pcx) == "active"


def test_amb_16_end_for_vpc_keeps_each_sides_tags(
    store: Store, ec2: Any, them: Any, cross: tuple[str, str, str]
) -> None:
    """Ending a deleted VPC's peerings keeps each side's own tags."""
    pcx, mine, _ = cross
    ec2.create_tags(Resources=[pcx], Tags=[{"Key": "side", "Value": "requester"}])
    them.create_tags(Resources=[pcx], Tags=[{"Key": "side", "Value": "accepter"}])
    them.accept_vpc_peering_connection(VpcPeeringConnectionId=pcx)
    with store.transaction(ME, "us-east-1") as tx:
        peering.end_for_vpc(tx, mine)
    theirs = seen(them, pcx)
    assert theirs is not None
    assert theirs["Status"] == {"Code": "deleted", "Message": f"Deleted by {ME}"}
    assert theirs["Tags"] == [{"Key": "side", "Value": "accepter"}]
    assert seen(ec2, pcx)["Tags"] == [{"Key": "side", "Value": "requester"}]  # type: ignore[index]


def test_vpc_26_only_unexpired_requests_from_another_account_block_deletion(
    store: Store, them: Any, clock: Clock, cross: tuple[str, str, str]
) -> None:
    """Expired and outgoing requests never block DeleteVpc."""
    _, mine, theirs = cross
    assert peering.blocks_vpc_deletion(store.view(THEM, "us-east-1"), theirs)
    assert not peering.blocks_vpc_deletion(
        store.view(ME, "us-east-1"), mine
    )  # outgoing never blocks
    clock.advance(168 * HOUR)
    assert not peering.blocks_vpc_deletion(store.view(THEM, "us-east-1"), theirs)


def test_pcx_4_overlapping_ipv6_blocks_count_too() -> None:
    """Overlap is judged on IPv6 blocks as well as IPv4 ones."""

    def vpc(v4: str, v6: str) -> Vpc:
        """A VPC value with one IPv4 and one IPv6 block."""
        return Vpc(
            id=new_id("vpc"),
            cidr_block=v4,
            cidr_associations=(CidrAssociation(association_id="a", cidr=v4),),
            ipv6_associations=(CidrAssociation(association_id="b", cidr=v6),),
        )

    a = vpc("10.0.0.0/16", "2600:1f18:1:100::/56")
    assert peering.blocks_overlap(a, vpc("10.1.0.0/16", "2600:1f18:1:100::/56"))
    assert not peering.blocks_overlap(a, vpc("10.1.0.0/16", "2600:1f18:1:200::/56"))
    assert peering.blocks_overlap(a, vpc("10.0.5.0/24", "2600:1f18:1:200::/56"))


def test_dry_run_peering_request_changes_nothing(ec2: Any, pair: tuple[str, str]) -> None:
    """DryRun answers DryRunOperation and creates nothing."""
    assert aws_error(request, ec2, *pair, DryRun=True)[0] == "DryRunOperation"
    assert ec2.describe_vpc_peering_connections()["VpcPeeringConnections"] == []


def test_pcx_14_record_is_stored_durably_in_both_partitions(tmp_path: Any) -> None:
    """The record is persisted in both sides' partitions."""
    path = tmp_path / "state.db"
    durable = Store(path, clock=Clock(settle_seconds=0.0))
    api = Api(durable, Settings())
    mine, theirs = client(api), client(api, access_key=THEM, region="eu-west-1")
    pcx = request(
        mine,
        make_vpc(mine, "10.0.0.0/16"),
        make_vpc(theirs, "10.7.0.0/16"),
        PeerOwnerId=THEM,
        PeerRegion="eu-west-1",
    )["VpcPeeringConnectionId"]
    durable.close()
    reopened = Store(path, clock=Clock(settle_seconds=0.0))
    try:
        for account, region in ((ME, "us-east-1"), (THEM, "eu-west-1")):
            stored = reopened.view(account, region).get(VpcPeeringConnection, pcx)
            assert stored is not None and stored.status == "pending-acceptance"
    finally:
        reopened.close()


def test_pcx_14_cross_account_and_cross_region_at_once(ec2: Any, make_client: Any) -> None:
    """A peering across account and region works; third parties do not see it."""
    far = make_client(access_key=THEM, region="us-west-2")
    same_account_there = make_client(region="us-west-2")
    mine, theirs = make_vpc(ec2, "10.0.0.0/16"), make_vpc(far, "10.8.0.0/16")
    pcx = request(ec2, mine, theirs, PeerOwnerId=THEM, PeerRegion="us-west-2")[
        "VpcPeeringConnectionId"
    ]
    assert seen(same_account_there, pcx) is None  # neither side's partition
    assert aws_error(same_account_there.accept_vpc_peering_connection, VpcPeeringConnectionId=pcx)[
        0
    ] == ("InvalidVpcPeeringConnectionID.NotFound")
    answer = far.accept_vpc_peering_connection(VpcPeeringConnectionId=pcx)["VpcPeeringConnection"]
    assert answer["RequesterVpcInfo"]["Region"] == "us-east-1"
    assert answer["AccepterVpcInfo"]["Region"] == "us-west-2"
    assert status(ec2, pcx) == status(far, pcx) == "active"

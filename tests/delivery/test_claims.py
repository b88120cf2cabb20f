"""Claim rules on a real store: claims carry fences, a take-over raises them, a stale fence
renews and records nothing, and a lapsed claim past saving is recorded as lapsed."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from factories import make_services

from newsbrief.bot.delivery.claims import (
    ClaimKind,
    ClaimPolicy,
    Finished,
    Sent,
    claim_batch,
    record,
)
from newsbrief.bot.delivery.rendered import Rendered
from newsbrief.bot.delivery.sending import DeliveryResult, DeliveryStatus
from newsbrief.bot.services import Services
from newsbrief.bot.store import subscriptions as subs
from newsbrief.bot.store.statuses import DigestStatus

SLOT = datetime(2025, 3, 30, 6, tzinfo=UTC)  # 08:00 in Berlin
LEASE = timedelta(minutes=5)
FIRST = ClaimPolicy("first", LEASE, timedelta(hours=6))
SECOND = ClaimPolicy("second", LEASE, timedelta(hours=6))
BRIEF = Rendered(["one", "two"], frozenset({1}))


@pytest.fixture
def services(tmp_path: Path) -> Iterator[Services]:
    built = make_services(tmp_path)
    with built.database.transaction() as session:
        day_before = SLOT - timedelta(days=1)
        subs.ensure(session, 7, timezone="Europe/Berlin", digest_time="08:00", now=day_before)
    yield built
    built.close()


def test_a_claim_carries_its_fence_and_a_take_over_raises_it(services: Services) -> None:
    with services.database.transaction() as session:
        [claim] = claim_batch(session, SLOT, FIRST, 10).claims
    assert (claim.kind, claim.fence) == (ClaimKind.NEW, 1)
    later = SLOT + LEASE + timedelta(seconds=1)
    with services.database.transaction() as session:
        [taken] = claim_batch(session, later, SECOND, 10).claims
        assert (taken.kind, taken.fence) == (ClaimKind.RECOVERED, 2)
        assert subs.renew(session, {claim.delivery_id: claim.fence}, later, holder="first") == set()
        assert subs.held(session, {taken.delivery_id: taken.fence}, "second") == {taken.delivery_id}


def test_a_stale_fence_records_neither_progress_nor_outcome(services: Services) -> None:
    with services.database.transaction() as session:
        [claim] = claim_batch(session, SLOT, FIRST, 10).claims
    later = SLOT + LEASE + timedelta(seconds=1)
    with services.database.transaction() as session:
        claim_batch(session, later, SECOND, 10)
    sent = Sent(DeliveryResult(7, DeliveryStatus.DELIVERED, (1, 2)), 2)
    with services.database.transaction() as session:
        recorded = record(
            session,
            {claim.delivery_id: (claim, 1)},
            {},
            [Finished(claim, BRIEF, sent)],
            later,
            "first",
        )
        assert (recorded.outcomes, recorded.lost) == ([], {claim.delivery_id})
        state = subs.claim_state(session, claim.delivery_id)
        assert state is not None and (state.holder, state.fence) == ("second", 2)
        [row] = subs.deliveries(session, claim.subscriber_id)
        assert (row.status, row.messages) == (DigestStatus.CLAIMED, 0)


def test_a_lapsed_claim_past_saving_is_recorded_as_lapsed(services: Services) -> None:
    with services.database.transaction() as session:
        claim_batch(session, SLOT, FIRST, 10)
    much_later = SLOT + timedelta(hours=7)
    with services.database.transaction() as session:
        batch = claim_batch(session, much_later, SECOND, 10)
        assert (batch.claims, batch.lapsed) == ((), 1)
        [row] = subs.deliveries(session, 1)
        assert (row.status, row.lease_until) == (DigestStatus.LAPSED, None)

import threading
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from pathlib import Path

from factories import make_services
from sqlalchemy.orm import Session

from newsbrief.bot.store.leases import announce, current_holder, release_lease, take_lease, withdraw

NOW = datetime(2025, 5, 1, 9, 0, tzinfo=UTC)
TTL = timedelta(minutes=2)


def test_a_lease_is_held_by_one_holder_until_it_expires(tmp_path: Path) -> None:
    services = make_services(tmp_path)
    try:
        with services.database.transaction() as session:
            assert take_lease(session, "scan", "a", now=NOW, ttl=TTL) is not None
        with services.database.transaction() as session:
            assert take_lease(session, "scan", "b", now=NOW + timedelta(minutes=1), ttl=TTL) is None
            held = current_holder(session, "scan", now=NOW + timedelta(minutes=1))
            assert held is not None and held.holder == "a"
        with services.database.transaction() as session:
            renewed = take_lease(session, "scan", "a", now=NOW + timedelta(minutes=1), ttl=TTL)
            assert renewed is not None and renewed.expires_at == NOW + timedelta(minutes=3)
        with services.database.transaction() as session:
            late = NOW + timedelta(minutes=4)
            assert take_lease(session, "scan", "b", now=late, ttl=TTL) is not None
            release_lease(session, "scan", "a")  # not a's any more: nothing happens
            assert current_holder(session, "scan", now=late).holder == "b"  # type: ignore[union-attr]
            release_lease(session, "scan", "b")
            assert current_holder(session, "scan", now=late) is None
    finally:
        services.close()


def race(tmp_path: Path, contenders: int, work: Callable[[Session, str], object]) -> list[object]:
    """Run `work` in `contenders` processes' stores at once; return what each got."""
    stores = [make_services(tmp_path) for _ in range(contenders)]
    results: list[object] = []
    start = threading.Barrier(contenders)

    def contend(number: int) -> None:
        start.wait()
        with stores[number].database.transaction() as session:
            results.append(work(session, f"p{number}"))

    try:
        threads = [threading.Thread(target=contend, args=(n,)) for n in range(contenders)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join(timeout=30)
    finally:
        for services in stores:
            services.close()
    return results


def test_of_many_processes_racing_for_a_lease_exactly_one_gets_it(tmp_path: Path) -> None:
    got = race(tmp_path, 4, lambda s, me: take_lease(s, "bot-polling", me, now=NOW, ttl=TTL))
    assert sum(1 for held in got if held is not None) == 1


def test_members_announcing_at_once_count_each_other_in_turn(tmp_path: Path) -> None:
    counts = race(tmp_path, 4, lambda s, me: announce(s, "senders", me, now=NOW, ttl=TTL))
    assert sorted(counts) == [1, 2, 3, 4]  # type: ignore[type-var]


def test_members_of_a_group_are_counted_while_their_leases_last(tmp_path: Path) -> None:
    services = make_services(tmp_path)
    try:
        with services.database.transaction() as session:
            assert announce(session, "senders", "a", now=NOW, ttl=TTL) == 1
            assert announce(session, "senders", "b", now=NOW, ttl=TTL) == 2
            assert announce(session, "other", "c", now=NOW, ttl=TTL) == 1
            assert announce(session, "senders", "a", now=NOW, ttl=TTL) == 2  # a renewal
        later = NOW + timedelta(minutes=1)
        with services.database.transaction() as session:
            withdraw(session, "senders", "b")  # b leaves at once
            assert announce(session, "senders", "a", now=later, ttl=TTL) == 1
            assert announce(session, "senders", "b", now=later, ttl=TTL) == 2
        with services.database.transaction() as session:  # a fell silent, b went on
            assert announce(session, "senders", "b", now=later + TTL, ttl=TTL) == 1
    finally:
        services.close()

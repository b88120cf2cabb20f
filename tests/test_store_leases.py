import threading
from datetime import UTC, datetime, timedelta
from pathlib import Path

from factories import make_services

from bot.store.leases import current_holder, release_lease, take_lease

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


def test_of_many_processes_racing_for_a_lease_exactly_one_gets_it(tmp_path: Path) -> None:
    contenders = [make_services(tmp_path) for _ in range(4)]
    winners: list[str] = []
    start = threading.Barrier(len(contenders))

    def race(number: int) -> None:
        start.wait()
        with contenders[number].database.transaction() as session:
            if take_lease(session, "bot-polling", f"p{number}", now=NOW, ttl=TTL):
                winners.append(f"p{number}")

    try:
        threads = [threading.Thread(target=race, args=(n,)) for n in range(len(contenders))]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join(timeout=30)
        assert len(winners) == 1
    finally:
        for services in contenders:
            services.close()

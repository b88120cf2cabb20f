"""Leases: work that one process at a time may do (a folder scan, polling Telegram for a token).

Take a lease inside a transaction: the row (on SQLite, the store) is locked while it is checked,
so two processes never both take it. A holder renews by taking it again before it expires.
A group of leases, one per member, tells how many processes of a kind are alive (`announce`).
"""

from __future__ import annotations

import os
import socket
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import delete, func, select, text
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from newsbrief.bot.store.schema import Lease


@dataclass(frozen=True, slots=True)
class Held:
    """Who holds a lease and until when."""

    holder: str
    expires_at: datetime


def take_lease(
    session: Session, name: str, holder: str, *, now: datetime, ttl: timedelta
) -> Held | None:
    """Take or renew a lease; None when it is taken, with `current_holder` telling by whom."""
    lease = session.scalars(select(Lease).where(Lease.name == name).with_for_update()).first()
    if lease is None:
        try:
            with session.begin_nested():
                session.add(Lease(name=name, holder=holder, expires_at=now + ttl))
        except IntegrityError:  # another process created it first
            return None
        return Held(holder, now + ttl)
    if lease.holder != holder and lease.expires_at > now:
        return None
    lease.holder, lease.expires_at = holder, now + ttl
    return Held(holder, lease.expires_at)


def current_holder(session: Session, name: str, *, now: datetime) -> Held | None:
    """Say who holds a lease now, if anyone."""
    lease = session.get(Lease, name)
    if lease is None or lease.expires_at <= now:
        return None
    return Held(lease.holder, lease.expires_at)


def release_lease(session: Session, name: str, holder: str) -> None:
    """Give a lease back, if this holder has it."""
    session.execute(delete(Lease).where(Lease.name == name, Lease.holder == holder))


def announce(session: Session, group: str, member: str, *, now: datetime, ttl: timedelta) -> int:
    """Say `member` of `group` is alive until `now + ttl`; return how many members are alive.

    Members announce one at a time (SQLite's write lock; an advisory lock on PostgreSQL), so
    two joining together never both count themselves alone.
    """
    if session.get_bind().dialect.name == "postgresql":
        session.execute(text("SELECT pg_advisory_xact_lock(hashtext(:group))"), {"group": group})
    prefix = f"{group}/"
    session.execute(
        delete(Lease).where(Lease.name.startswith(prefix, autoescape=True), Lease.expires_at <= now)
    )
    take_lease(session, prefix + member, member, now=now, ttl=ttl)
    alive = select(func.count()).where(
        Lease.name.startswith(prefix, autoescape=True), Lease.expires_at > now
    )
    return int(session.scalar(alive) or 0)


def withdraw(session: Session, group: str, member: str) -> None:
    """Leave a group at once, rather than when the member's lease runs out."""
    release_lease(session, f"{group}/{member}", member)


def worker_name() -> str:
    """Name this process for leases and logs: host and process id."""
    return f"{socket.gethostname()}:{os.getpid()}"


def died_here(holder: str) -> bool:
    """Tell whether `holder` (named by `worker_name`) is a process of this host that has ended.

    A process of another host, or one that cannot be checked, counts as alive: only its lease
    running out says otherwise.
    """
    host, _, pid = holder.partition(":")
    pid = pid.split(":", 1)[0]
    if host != socket.gethostname() or not pid.isdigit() or int(pid) == os.getpid():
        return False
    try:
        os.kill(int(pid), 0)
    except ProcessLookupError:
        return True
    except OSError:  # someone else's process, say: it exists
        return False
    return False

"""Overview search on a large practice: the service (visibility, audit line, trajectory column) against a
baseline of the bare LIKE query on the same SQLite file, in the same run. Prints medians and the ratio.

usage: python benchmarks/bench_search.py [N_CLIENTS]
"""

from __future__ import annotations

import random
import sqlite3
import statistics
import sys
import tempfile
import time
from datetime import date, timedelta
from pathlib import Path

from scrivio_tui.services import clients, staff
from scrivio_tui.services.base import SYSTEM
from scrivio_tui.store.db import Database
from scrivio_tui.store.models import Client

FIRST = ["Anna", "Bram", "Chantal", "Daan", "Esra", "Floor", "Gerrit", "Hanna", "Ivo", "Jasmijn", "Karim", "Lotte"]
LAST = ["Vries", "Jansen", "Bakker", "Dijk", "Yilmaz", "Meer", "Smit", "Mulder", "Boer", "Visser", "Amrani", "Kok"]


def median_ms(fn, repeat: int = 25) -> float:  # type: ignore[no-untyped-def]
    times = []
    for _ in range(repeat):
        t = time.perf_counter()
        fn()
        times.append((time.perf_counter() - t) * 1000)
    return statistics.median(times)


def main() -> None:
    n = int(sys.argv[1]) if len(sys.argv) > 1 else 10_000
    folder = Path(tempfile.mkdtemp())
    db = Database(f"sqlite:///{folder / 'bench.sqlite3'}")
    staff.add_staff(db, SYSTEM, username="receptie", display_name="R", password="a-long-password",
                    role="Reception", password_cost=16).unwrap()
    actor = staff.authenticate(db, "receptie", "a-long-password").unwrap()
    rng = random.Random(7)
    with db.transaction() as s:
        for i in range(n):
            s.add(Client(first_name=rng.choice(FIRST), last_name=f"{rng.choice(LAST)}{i % 97}",
                         date_of_birth=date(1950, 1, 1) + timedelta(days=rng.randrange(25_000)),
                         email=f"client{i}@example.nl"))
    raw = sqlite3.connect(folder / "bench.sqlite3")
    print(f"{n} clients; median of 25 runs (ms)")
    print(f"{'search':<22}{'service':>10}{'bare SQL':>10}{'ratio':>8}")
    for term in ("jan", "vries 12", "client4711@", "15-03-1962", ""):
        service = median_ms(lambda t=term: clients.search(db, actor, t))
        like = f"%{term.split()[0] if term else ''}%"
        base = median_ms(lambda like=like: raw.execute(
            "SELECT * FROM client WHERE status='active' AND (lower(last_name) LIKE ? OR lower(first_name) LIKE ? "
            "OR lower(email) LIKE ?) ORDER BY lower(last_name), lower(first_name) LIMIT 500",
            (like, like, like)).fetchall())
        print(f"{term or '(empty)':<22}{service:>10.2f}{base:>10.2f}{service / base:>8.1f}")


if __name__ == "__main__":
    main()

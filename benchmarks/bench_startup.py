"""Time until the first screen takes typing (#username mounted): scrivio-tui's sign-in screen against
a bare Textual app with one Input (the floor Textual itself sets), each in a fresh interpreter, in the same run.

usage: python benchmarks/bench_startup.py [RUNS]
"""

from __future__ import annotations

import statistics
import subprocess
import sys
import tempfile

PROBE = """
import time, asyncio
t0 = time.perf_counter()
{setup}
async def main():
    async with app.run_test(size=(120, 36)) as pilot:
        while not (app.screen.query("#username") and app.screen.query_one("#username").is_mounted):
            await asyncio.sleep(0.002)
        print((time.perf_counter() - t0) * 1000)
asyncio.run(main())
"""

BARE = """
from textual.app import App
from textual.widgets import Input
class Bare(App):
    def compose(self):
        yield Input(id="username")
app = Bare()
"""

SCRIVIO = """
from scrivio_tui.app import ScrivioApp
from scrivio_tui.config import load_settings
app = ScrivioApp(load_settings(data_dir={data!r}))
"""


def first_paint_ms(setup: str, runs: int) -> float:
    out = []
    for _ in range(runs):
        res = subprocess.run([sys.executable, "-c", PROBE.format(setup=setup)], capture_output=True, text=True,
                             check=True)
        out.append(float(res.stdout.strip().splitlines()[-1]))
    return statistics.median(out)


def main() -> None:
    runs = int(sys.argv[1]) if len(sys.argv) > 1 else 7
    data = tempfile.mkdtemp()
    bare = first_paint_ms(BARE, runs)
    scrivio = first_paint_ms(SCRIVIO.format(data=data), runs)
    print(f"first paint, median of {runs} fresh interpreters (ms, includes imports)")
    print(f"bare Textual app:     {bare:8.1f}")
    print(f"scrivio-tui sign-in:  {scrivio:8.1f}")
    print(f"ratio:                {scrivio / bare:8.2f}")


if __name__ == "__main__":
    main()

"""Refill a DataTable with columns sized to what it will show.

DataTable measures new rows on idle; a table refilled while its screen sits under a dialog kept the widths
of its previous rows on a real terminal (cut-off dates and names). Sizing the columns ourselves from the
rows is deterministic and cheap for the few hundred rows these tables hold."""

from __future__ import annotations

from collections.abc import Sequence

from rich.cells import cell_len
from textual.widgets import DataTable


def fill(table: DataTable[object], headers: Sequence[str], rows: Sequence[tuple[Sequence[object], str | None]],
         *, max_width: int = 48) -> None:
    """Replace columns and rows; each column is as wide as its widest cell (capped at max_width)."""
    widths = [cell_len(h) for h in headers]
    for cells, _key in rows:
        for i, cell in enumerate(cells):
            widths[i] = min(max(widths[i], cell_len(str(cell))), max(max_width, cell_len(headers[i])))
    table.clear(columns=True)
    for header, width in zip(headers, widths, strict=True):
        table.add_column(header, width=width)
    for cells, key in rows:
        table.add_row(*cells, key=key)

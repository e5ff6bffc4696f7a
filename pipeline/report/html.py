"""HTML building blocks of the report: escaped text, sortable and searchable tables, plotly figures.

Every string from a dataset, class set, run file or model name passes through `escape` before it
reaches the page. Chart data travels as plotly JSON (plotly escapes `<`, `>` and `/` in it); text
that plotly shows (names, hover labels, titles) is escaped too, because plotly renders a small set
of HTML tags in it and decodes entities, so escaped text is shown literally.
"""

from __future__ import annotations

import html
import math
from typing import Any

import plotly
import plotly.graph_objects as go


def escape(value: Any) -> str:
    return html.escape("" if value is None else str(value), quote=True)


def format_number(value: Any, digits: int = 3) -> str:
    if value is None or (isinstance(value, float) and not math.isfinite(value)):
        return "–"
    if isinstance(value, float):
        return f"{value:.2g}" if 0 < abs(value) < 10 ** -digits else f"{value:.{digits}f}"
    if isinstance(value, int):
        return f"{value:,}"
    return str(value)


def cell(value: Any, text: str | None = None) -> tuple[str, float | None]:
    """A table cell: shown text, and the number it sorts by (None for text)."""
    number = float(value) if isinstance(value, int | float) and not isinstance(value, bool) else None
    if number is not None and not math.isfinite(number):
        number = None
    return (format_number(value) if text is None else text), number


def count_cell(value: float | int | None) -> tuple[str, float | None]:
    """A count: whole numbers without decimals (counts are DOUBLE because the split policy divides them)."""
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    return cell(value, None if not isinstance(value, float) else f"{value:,.2f}")


def estimate_cell(value: float | None, low: float | None, high: float | None,
                  digits: int = 3) -> tuple[str, float | None]:
    """`0.475 [0.421, 0.527]` (with `digits` decimals), sorted by the estimate."""
    if value is None:
        return cell(None)
    # fixed decimals, so that an interval's ends line up with the estimate (never 0.00049 beside 0.09)
    interval = f" [{low:.{digits}f}, {high:.{digits}f}]" if low is not None and high is not None else ""
    return cell(value, f"{value:.{digits}f}{interval}")


def p_cell(value: float | None) -> tuple[str, float | None]:
    """A p-value as read in papers, `< 0.001` below that, sorted by the exact value."""
    if value is None or not math.isfinite(value):
        return cell(None)
    return cell(value, "< 0.001" if value < 0.001 else f"{value:.3f}")


def table_html(headers: list[str], rows: list[list[tuple[str, float | None]]], table_id: str, caption: str = "",
               searchable: bool = False, fit: bool = False) -> str:
    """A table whose headers sort it (numbers by value) and, when searchable, a box that filters its rows; a table
    that `fit`s the page keeps its number columns as narrow as their numbers and breaks long names to fit."""
    head = "".join(f'<th scope="col" title="sort">{escape(header)}</th>' for header in headers)
    body = "".join(
        "<tr>" + "".join(
            f'<td data-value="{number!r}">{escape(text)}</td>' if number is not None else f"<td>{escape(text)}</td>"
            for text, number in row
        ) + "</tr>"
        for row in rows
    )
    search = (f'<input type="search" class="table-filter" data-table="{escape(table_id)}" '
              f'placeholder="filter rows" aria-label="filter {escape(caption or table_id)}">') if searchable else ""
    return (f'{search}<div class="table-wrap"><table class="sortable{" fit" if fit else ""}" id="{escape(table_id)}">'
            f"<caption>{escape(caption)}</caption><thead><tr>{head}</tr></thead><tbody>{body}</tbody></table></div>")


def frame_table(frame, table_id: str, caption: str = "", searchable: bool = False) -> str:
    """A polars frame as a sortable table, its column names as headers; float columns of whole counts show as counts."""
    counts = {name for name, dtype in frame.schema.items() if dtype.is_float()
              and frame[name].drop_nulls().len() and (frame[name].drop_nulls() % 1 == 0).all()
              and frame[name].max() > 1}
    formatters = [count_cell if name in counts else cell for name in frame.columns]
    rows = [[format(value) for format, value in zip(formatters, row)] for row in frame.iter_rows()]
    return table_html(list(frame.columns), rows, table_id, caption, searchable)


def figure_html(figure: go.Figure, div_id: str) -> str:
    """A figure's div and script, plotly.js not included (the page carries it once); a fixed id keeps it deterministic."""
    return figure.to_html(include_plotlyjs=False, full_html=False, div_id=div_id,
                          config={"responsive": True, "displaylogo": False})


# Numbers never wrap. A fitting table's number columns are as narrow as their numbers (a cell's width is a floor, so
# 1px means "no wider than needed") and its text may break inside a long name: it fits the page (1200 px) and
# gives the room left to the names, rather than scroll sideways.
STYLE = """
body{font-family:system-ui,sans-serif;margin:2rem auto;max-width:1200px;color:#222;padding:0 1rem;line-height:1.45}
h1{margin-bottom:.2rem}h2{margin-top:2.5rem;border-bottom:1px solid #ddd;padding-bottom:.2rem}
nav a{margin-right:1rem}.lead{font-size:1.15rem;background:#f6f8fa;border-left:4px solid #4c78a8;padding:.6rem 1rem}
.warning{background:#fff8e5;border-left:4px solid #d9a400;padding:.5rem 1rem}
.table-wrap{max-height:34rem;overflow:auto;margin:.5rem 0 1rem}
table{border-collapse:collapse;font-size:.85rem}th,td{border:1px solid #ddd;padding:.2rem .45rem;text-align:left}
th{background:#f4f4f4;cursor:pointer;position:sticky;top:0}th[aria-sort=ascending]::after{content:" ▲"}
th[aria-sort=descending]::after{content:" ▼"}
td[data-value]{text-align:right;font-variant-numeric:tabular-nums;white-space:nowrap}
table.fit td[data-value]{width:1px}table.fit td{overflow-wrap:anywhere}
caption{text-align:left;font-weight:600;padding:.3rem 0}input.table-filter{padding:.3rem;width:20rem}
.note{color:#555;font-size:.9rem}pre{background:#f6f8fa;padding:.6rem;overflow:auto;font-size:.8rem}
"""

# Sorting and filtering read and move rows only; no dataset text is ever parsed as HTML.
SCRIPT = """
document.querySelectorAll('table.sortable').forEach(function (table) {
  var headers = table.querySelectorAll('thead th');
  headers.forEach(function (header, column) {
    header.addEventListener('click', function () {
      var ascending = header.getAttribute('aria-sort') !== 'ascending';
      headers.forEach(function (other) { other.removeAttribute('aria-sort'); });
      header.setAttribute('aria-sort', ascending ? 'ascending' : 'descending');
      var body = table.tBodies[0];
      var rows = Array.prototype.slice.call(body.rows);
      rows.sort(function (a, b) {
        var x = a.cells[column], y = b.cells[column];
        var xv = x.dataset.value, yv = y.dataset.value, order;
        if (xv !== undefined && yv !== undefined) { order = parseFloat(xv) - parseFloat(yv); }
        else if (xv !== undefined) { order = -1; } else if (yv !== undefined) { order = 1; }
        else { order = x.textContent.localeCompare(y.textContent); }
        return ascending ? order : -order;
      });
      rows.forEach(function (row) { body.appendChild(row); });
    });
  });
});
// a chart drawn inside a closed <details> had no width to fill: it fills it once opened
document.querySelectorAll('details').forEach(function (details) {
  details.addEventListener('toggle', function () {
    if (details.open) { details.querySelectorAll('.plotly-graph-div').forEach(function (div) { Plotly.Plots.resize(div); }); }
  });
});
document.querySelectorAll('input.table-filter').forEach(function (input) {
  input.addEventListener('input', function () {
    var query = input.value.toLowerCase();
    var table = document.getElementById(input.dataset.table);
    Array.prototype.forEach.call(table.tBodies[0].rows, function (row) {
      row.hidden = query !== '' && row.textContent.toLowerCase().indexOf(query) === -1;
    });
  });
});
"""


def page(title: str, body: str) -> str:
    return (
        "<!DOCTYPE html><html lang=en><head><meta charset=utf-8>"
        '<meta name="viewport" content="width=device-width, initial-scale=1">'
        f"<title>{escape(title)}</title><style>{STYLE}</style>"
        f"<script>{plotly.offline.get_plotlyjs()}</script></head><body>"
        f"{body}<script>{SCRIPT}</script></body></html>"
    )

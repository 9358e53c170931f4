"""HTML building blocks of the report: escaped tables, direction-isolated
ids, embedded figures, the "first N of M" note and the page style."""

from __future__ import annotations

import base64
from collections.abc import Mapping, Sequence
from html import escape

from matplotlib.figure import Figure

from service.report.figures import figure_png
from service.safe_text import escape_controls
from service.translations import gettext_for
from service.translations.formats import format_number


def html_table(
    headers: Sequence[str],
    rows: Sequence[Sequence[object]],
    *,
    row_data: Sequence[Mapping[str, object]] | None = None,
) -> str:
    """An escaped HTML table. ``row_data`` adds ``data-*`` attributes per row
    (machine-readable keys next to the labels people read)."""
    head = "".join(f"<th>{escape(str(h))}</th>" for h in headers)
    body = []
    for k, row in enumerate(rows):
        data = row_data[k] if row_data else {}
        attrs = "".join(f' data-{name}="{escape(str(value))}"' for name, value in data.items())
        cells = "".join(f"<td>{_cell(value)}</td>" for value in row)
        body.append(f"<tr{attrs}>{cells}</tr>")
    return f"<table><thead><tr>{head}</tr></thead><tbody>{''.join(body)}</tbody></table>"


class _Html(str):
    """Text that is already HTML: :func:`html_table` does not escape it again."""


def _cell(value: object) -> str:
    return value if isinstance(value, _Html) else escape(escape_controls(str(value)))


def bdi(text: str) -> _Html:
    """Ids and names isolated from the page's direction (Latin ids in Arabic text)."""
    return _Html(f"<bdi>{escape(escape_controls(text))}</bdi>")


def tag(name: str, text: str) -> str:
    """``text`` escaped inside an element (``tag("h2", title)``)."""
    return f"<{name}>{escape(text)}</{name}>"


def _image(png: bytes, alt: str) -> str:
    data = base64.b64encode(png).decode("ascii")
    return f'<img src="data:image/png;base64,{data}" alt="{escape(alt)}">'


def figure_html(figure: Figure, alt: str, caption: str = "") -> str:
    caption_html = f"<figcaption>{escape(caption)}</figcaption>" if caption else ""
    return f"<figure>{_image(figure_png(figure), alt)}{caption_html}</figure>"


def listed_note(shown: int, total: int, command: str, lang: str) -> str:
    """ "The first N of M; all of them: COMMAND" under a cut table, or nothing."""
    if total <= shown:
        return ""
    # The command goes in as <code dir="ltr"> (read left to right in Arabic
    # too) and the sentence around it is escaped: split it at a marker.
    text = (
        gettext_for(lang)
        .gettext("The first {shown} of {total}; all of them: {command}")
        .format(shown=format_number(shown, lang), total=format_number(total, lang), command="§")
    )
    before, after = (escape(part) for part in text.split("§"))
    return f'<p class="note">{before}<code dir="ltr">{escape(command)}</code>{after}</p>'


STYLE = """
:root { color-scheme: light; --ink: #1f2933; --muted: #52606d; --line: #d9e2ec; }
body { font-family: system-ui, "Segoe UI", "Noto Sans", "Noto Sans Arabic", Tahoma, sans-serif;
  color: var(--ink); max-width: 1100px; margin: 2rem auto; padding: 0 1.25rem;
  line-height: 1.5; }
h1 { font-size: 1.9rem; margin-block-end: 0.25rem; }
h2 { font-size: 1.4rem; border-block-end: 2px solid var(--line); padding-block-end: 0.25rem;
  margin-block-start: 2.5rem; }
h3 { font-size: 1.1rem; margin-block-start: 1.75rem; }
.lede { color: var(--muted); font-size: 1.1rem; }
.figures { display: grid; grid-template-columns: repeat(auto-fill, minmax(200px, 1fr));
  gap: 0.75rem; padding: 0; list-style: none; }
.figures li { border: 1px solid var(--line); border-radius: 8px; padding: 0.75rem 1rem; }
.figures .value { display: block; font-size: 2rem; font-weight: 700; }
.figures .label { color: var(--muted); font-size: 0.9rem; }
figure { margin: 1rem 0; }
img { max-width: 100%; height: auto; }
table { border-collapse: collapse; width: 100%; font-size: 0.9rem; margin: 0.5rem 0; }
th, td { text-align: start; padding: 0.3rem 0.5rem; border-block-end: 1px solid var(--line);
  vertical-align: top; }
th { background: #f0f4f8; }
.note, footer { color: var(--muted); font-size: 0.85rem; }
footer { margin-block-start: 3rem; border-block-start: 1px solid var(--line);
  padding-block-start: 0.75rem; }
section { break-inside: avoid-page; }
td bdi[dir="ltr"] { white-space: nowrap; }
tr.grouping th { background: none; padding-block-start: 0.9rem; }
.verdict { color: var(--muted); }
"""

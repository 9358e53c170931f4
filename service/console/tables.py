"""Server-side paging and sorting of a table, read from the query string
(``page``, ``sort``, ``dir``), for the ``table`` macro of
``templates/macros.html``. A page with a large list pages and sorts in the
database and hands :class:`Table` one page; a small list can be given whole
to :func:`page_of`."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlencode

from starlette.requests import Request

PAGE_SIZE = 50


@dataclass(frozen=True)
class Columns:
    """A table's column names and the ones it can sort by."""

    names: tuple[str, ...]
    sortable: tuple[str, ...] = ()


@dataclass(frozen=True)
class Table:
    """One page of rows, and how to ask for the others."""

    rows: Sequence[Any]
    total: int
    page: int
    size: int
    sort: str | None
    descending: bool
    columns: Columns
    query: dict[str, str]
    """The request's other query parameters (filters), kept in every link."""
    path: str

    @property
    def pages(self) -> int:
        return max(1, -(-self.total // self.size))

    def link(self, **change: Any) -> str:
        """This table's address with ``change`` (``page``, ``sort``, ``dir``).

        >>> t = Table([], 120, 1, 50, "name", False, Columns(("name",)), {"q": "x"}, "/console/k")
        >>> t.link(page=2), t.pages
        ('/console/k?q=x&page=2&sort=name&dir=asc', 3)
        """
        values = {
            **self.query,
            "page": self.page,
            "sort": self.sort,
            "dir": "desc" if self.descending else "asc",
            **change,
        }
        return f"{self.path}?{urlencode({k: v for k, v in values.items() if v is not None})}"

    def sort_link(self, column: str) -> str:
        """Sort by ``column``; again on the sorted column reverses the order."""
        descending = column == self.sort and not self.descending
        return self.link(sort=column, dir="desc" if descending else "asc", page=1)


def requested(request: Request, columns: Columns) -> tuple[int, str | None, bool]:
    """The page (from 1), sort column (a sortable one, else none) and
    direction the query asks for; anything unreadable falls back to the
    first page, unsorted."""
    raw = request.query_params.get("page", "1")
    page = int(raw) if raw.isdigit() and 0 < int(raw) < 2**31 else 1
    sort = request.query_params.get("sort")
    return (
        page,
        sort if sort in columns.sortable else None,
        (request.query_params.get("dir") == "desc"),
    )


def table(
    request: Request, rows: Sequence[Any], total: int, columns: Columns, *, size: int = PAGE_SIZE
) -> Table:
    """A :class:`Table` of one page of ``rows`` already paged and sorted by
    the caller (from :func:`requested`), ``total`` rows in all."""
    page, sort, descending = requested(request, columns)
    keep = {k: v for k, v in request.query_params.items() if k not in ("page", "sort", "dir")}
    return Table(rows, total, page, size, sort, descending, columns, keep, request.url.path)


def page_of(
    request: Request,
    rows: Sequence[Any],
    columns: Columns,
    sort_value: Callable[[Any, str], Any],
    *,
    size: int = PAGE_SIZE,
) -> Table:
    """A :class:`Table` of a whole list sorted and paged here (small lists)."""
    page, sort, descending = requested(request, columns)
    if sort is not None:
        rows = sorted(rows, key=lambda row: sort_value(row, sort), reverse=descending)
    start = (page - 1) * size
    return table(request, rows[start : start + size], len(rows), columns, size=size)

"""Numbers, percentages and lists as each label language writes them, by
Babel from the Unicode CLDR: a decimal comma in French, Spanish and
Portuguese, French and Spanish spacing before ``%``, "a, b et c", Arabic's
"و". Digits stay Latin (Babel's default numbering system) in Arabic too, as
in the network's documents and the command line.

Floats go to Babel as their exact :class:`~decimal.Decimal` value, so the
digits are those of Python's own ``format`` (both round half to even on the
exact value): the report shows the numbers of the CLI's JSON, rounded the
same way. (A percentage can differ in its last digit only for a float within
one rounding error of a half: Python scales it by 100 in floating point, Babel
exactly.)
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from decimal import Decimal
from numbers import Integral

from babel.lists import format_list as babel_format_list
from babel.numbers import format_decimal, format_percent, get_plus_sign_symbol

from service.translations import locale_for

_FRACTION = re.compile(r"0(?:\.[0#]*)?")
"""The last integer digit of a CLDR number pattern and its fraction part."""


def _exact(value: float) -> Decimal:
    # Decimal takes Python's int and float only, not numpy's (the figures' counts).
    return Decimal(int(value)) if isinstance(value, Integral) else Decimal(float(value))


def _digits(pattern: str, digits: int) -> str:
    """A locale's number pattern with exactly ``digits`` decimals, its
    grouping, symbols and spacing kept ("#,##0 %" → "#,##0.0 %")."""
    return _FRACTION.sub("0." + "0" * digits if digits else "0", pattern, count=1)


def format_number(value: float, lang: str, digits: int = 0, *, sign: bool = False) -> str:
    """``value`` with ``digits`` decimals in ``lang``; ``sign`` writes the
    plus sign of positive values too (score contributions).

    >>> format_number(136.361, "fr", 2), format_number(1234, "en"), format_number(0.5, "ar", 2)
    ('136,36', '1,234', '0.50')
    >>> format_number(0.25, "es", 2, sign=True), format_number(-0.25, "pt", 2, sign=True)
    ('+0,25', '-0,25')
    """
    locale = locale_for(lang)
    exact = _exact(value)
    text = format_decimal(
        exact, format=_digits(locale.decimal_formats[None].pattern, digits), locale=locale
    )
    return get_plus_sign_symbol(locale) + text if sign and not exact.is_signed() else text


def format_share(value: float, lang: str, digits: int = 0) -> str:
    """A share (0.5 for half) as a percentage with ``digits`` decimals.

    >>> format_share(0.5, "en"), format_share(0.1234, "fr", 1)
    ('50%', '12,3\\xa0%')
    """
    locale = locale_for(lang)
    pattern = _digits(locale.percent_formats[None].pattern, digits)
    return format_percent(_exact(value), format=pattern, locale=locale)


def format_list(items: Iterable[str], lang: str) -> str:
    """Items as one list in ``lang`` ("a, b, and c"; "a, b et c"; "a وb وc").

    >>> format_list(["en", "fr"], "es")
    'en y fr'
    """
    return babel_format_list(list(items), style="standard", locale=locale_for(lang))

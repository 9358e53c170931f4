"""Keeping the catalogues in step with the code, with Babel's own extractor,
``.po`` reader and ``.mo`` writer (``python -m service.translations ...``):

``update``
    extract the messages of ``service/`` into ``messages.pot`` and merge it
    into each language's ``messages.po``: a new message comes in untranslated,
    a changed one keeps its old translation marked fuzzy, a removed one goes.
``compile``
    write each ``messages.mo`` from its ``messages.po``.
``check``
    fail if the template is not what the code says, a message is
    untranslated or fuzzy, a translation drops or invents a ``{placeholder}``,
    or a ``.mo`` is not the compiled ``.po``. The test suite runs it.

The translator's loop is: change the code, ``update``, translate the new or
fuzzy entries in each ``.po`` (removing the ``fuzzy`` flag), ``compile``,
commit all of it.
"""

from __future__ import annotations

import io
import string
from collections.abc import Iterator
from pathlib import Path

from babel.messages.catalog import Catalog, Message
from babel.messages.extract import extract_from_dir
from babel.messages.mofile import read_mo, write_mo
from babel.messages.pofile import read_po, write_po

from service.translations import DOMAIN, LOCALES, SOURCE_LANGUAGE

HERE = Path(__file__).resolve().parent
SERVICE = HERE.parent
ROOT = SERVICE.parent
TEMPLATE = HERE / f"{DOMAIN}.pot"
TRANSLATED = {lang: locale for lang, locale in LOCALES.items() if lang != SOURCE_LANGUAGE}
COMMENT_TAG = "Translators:"
"""A comment starting with this just before a message goes to its translators."""


def _shown(path: Path) -> str:
    """A path as messages name it: from the checkout's root when it is in it."""
    return str(path.relative_to(ROOT)) if path.is_relative_to(ROOT) else str(path)


def po_path(locale: str) -> Path:
    return HERE / locale / "LC_MESSAGES" / f"{DOMAIN}.po"


def mo_path(locale: str) -> Path:
    return HERE / locale / "LC_MESSAGES" / f"{DOMAIN}.mo"


def _render_po(catalog: Catalog) -> bytes:
    # No line numbers: a message moving inside its file is no change to translate.
    buffer = io.BytesIO()
    write_po(buffer, catalog, ignore_obsolete=True, include_lineno=False)
    return buffer.getvalue()


def _body(text: bytes) -> bytes:
    """A catalogue's text after its header, whose dates and Babel version
    change without any message changing."""
    return text.split(b"\n\n", 1)[-1]


def _compile(catalog: Catalog) -> bytes:
    buffer = io.BytesIO()
    write_mo(buffer, catalog)
    return buffer.getvalue()


def _translations(catalog: Catalog) -> dict:
    """What a catalogue translates, and how (a ``.mo`` holds exactly that)."""
    return {
        (_key(message.id), message.context): _strings(message)
        for message in catalog
        if message.id and any(_strings(message)) and not message.fuzzy
    }


def _key(message_id: str | tuple | list) -> str | tuple[str, ...]:
    """A message id as a dict key: a plural message's id is its (singular,
    plural) pair, a list in a ``.po`` and a tuple in a ``.mo``."""
    return message_id if isinstance(message_id, str) else tuple(message_id)


def _compiled_is_current(locale: str, catalog: Catalog) -> bool:
    path = mo_path(locale)
    if not path.exists():
        return False
    with path.open("rb") as handle:
        return _translations(read_mo(handle)) == _translations(catalog)


def _read(path: Path, locale: str | None = None) -> Catalog:
    with path.open("rb") as handle:
        return read_po(handle, locale=locale)


METHODS = [
    ("**.py", "python"),
    ("console/templates/**.html", "jinja2.ext:babel_extract"),
]
"""Where messages are: the Python code, and the console's Jinja2 templates
(``_("...")`` and ``{% trans %}``)."""


def extract() -> Catalog:
    """The template as the code has it: every message of ``service/``."""
    template = Catalog(project="peermatch", copyright_holder="peermatch contributors", fuzzy=False)
    found = extract_from_dir(SERVICE, method_map=METHODS, comment_tags=(COMMENT_TAG,))
    for filename, lineno, message, comments, context in found:
        template.add(
            message,
            None,
            locations=[(f"{SERVICE.name}/{filename}", lineno)],
            auto_comments=comments,
            context=context,
        )
    return template


def _template_is_current(template: Catalog) -> bool:
    return TEMPLATE.exists() and _body(_render_po(template)) == _body(TEMPLATE.read_bytes())


def update() -> list[str]:
    """Rewrite the template and merge it into every ``.po`` (created if
    missing); returns the files written."""
    written = []
    template = extract()
    if not _template_is_current(template):
        TEMPLATE.write_bytes(_render_po(template))
        written.append(TEMPLATE)
    for locale in TRANSLATED.values():
        path = po_path(locale)
        if path.exists():
            catalog = _read(path, locale)
        else:
            path.parent.mkdir(parents=True, exist_ok=True)
            catalog = Catalog(locale=locale, project="peermatch", fuzzy=True)
        before = _render_po(catalog) if path.exists() else b""
        catalog.update(template, update_creation_date=False)
        after = _render_po(catalog)
        if _body(after) != _body(before):
            path.write_bytes(after)
            written.append(path)
    return [_shown(p) for p in written]


def compile_all() -> list[str]:
    """Write every ``.mo`` whose translations differ from its ``.po``'s;
    returns them."""
    written = []
    for locale in TRANSLATED.values():
        catalog = _read(po_path(locale), locale)
        if not _compiled_is_current(locale, catalog):
            mo_path(locale).write_bytes(_compile(catalog))
            written.append(_shown(mo_path(locale)))
    return written


def _fields(text: str) -> list[str]:
    return sorted(name for _, name, _, _ in string.Formatter().parse(text) if name is not None)


def _first_id(message: Message) -> str:
    return message.id if isinstance(message.id, str) else message.id[0]


def _strings(message: Message) -> tuple[str, ...]:
    """A message's translation, or its plural forms."""
    return tuple(message.string) if isinstance(message.string, tuple | list) else (message.string,)


def _problems(locale: str, template: Catalog) -> Iterator[str]:
    path = po_path(locale)
    where = _shown(path)
    if not path.exists():
        yield f"{where}: missing (run: python -m service.translations update)"
        return
    catalog = _read(path, locale)
    if catalog.fuzzy:
        yield f"{where}: the header is marked fuzzy"
    for message in template:
        if not message.id:
            continue
        name = f"{where}: {_first_id(message)!r}"
        found = catalog.get(message.id, message.context)
        if found is None:
            yield f"{name} is missing (run: python -m service.translations update)"
        elif found.fuzzy:
            yield f"{name} is fuzzy: check its translation, then remove the flag"
        elif not all(_strings(found)):
            yield f"{name} is not translated"
        elif any(_fields(text) != _fields(_first_id(message)) for text in _strings(found)):
            yield f"{name}: the translation's {{placeholders}} differ from the English"
    for message in catalog:
        if message.id and template.get(message.id, message.context) is None:
            yield f"{where}: {_first_id(message)!r} is no longer in the code (run update)"
    for message, errors in catalog.check():
        for error in errors:
            yield f"{where}: {_first_id(message)!r}: {error}"
    if not _compiled_is_current(locale, catalog):
        yield f"{_shown(mo_path(locale))} is not the compiled .po (run compile)"


def check() -> list[str]:
    """Every problem with the catalogues, in words; empty when all is well."""
    problems = []
    template = extract()
    if not _template_is_current(template):
        problems.append(
            f"{_shown(TEMPLATE)} is out of date with the code "
            "(run: python -m service.translations update)"
        )
    for locale in TRANSLATED.values():
        problems.extend(_problems(locale, template))
    return problems

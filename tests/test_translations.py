"""The gettext catalogues: in step with the code, complete, compiled; and
the words and numbers each language is shown."""

import doctest
import re
import shutil

import pytest

from matcher.scoring import SOFT_TERMS
from matcher.taxonomy import FAMILIES, LABEL_LANGUAGES, default_taxonomy
from service.documents import capacity_map, encoding
from service.report import words
from service.translations import LOCALES, catalogues, formats, gettext_for


def test_catalogues_are_up_to_date_complete_and_compiled():
    # The same check as `python -m service.translations check`: a stale
    # messages.pot, an untranslated or fuzzy entry, a {placeholder} lost in
    # translation or a .mo that is not its compiled .po fails here.
    assert catalogues.check() == []


def test_the_check_names_what_is_wrong(tmp_path, monkeypatch):
    copy = tmp_path / "translations"
    shutil.copytree(catalogues.HERE, copy, ignore=shutil.ignore_patterns("*.py", "__pycache__"))
    monkeypatch.setattr(catalogues, "HERE", copy)
    monkeypatch.setattr(catalogues, "TEMPLATE", copy / "messages.pot")
    assert catalogues.check() == []
    french = catalogues.po_path("fr")
    text = french.read_text(encoding="utf-8")
    for old, new in [
        ('msgstr "Carte des capacités"', 'msgstr ""'),
        ('msgid "Key figures"', '#, fuzzy\nmsgid "Key figures"'),
        ('"{members} membres. ', '"{membres} membres. '),
        ('msgstr "même région"', 'msgstr "dans la même région"'),
    ]:
        assert old in text
        text = text.replace(old, new, 1)
    french.write_text(text, encoding="utf-8")
    template = catalogues.TEMPLATE.read_text(encoding="utf-8")
    catalogues.TEMPLATE.write_text(template.replace('msgid "key"', 'msgid "clef"'), "utf-8")
    problems = "\n".join(catalogues.check())
    for expected in (
        "messages.pot is out of date with the code",
        "'Capacity map' is not translated",
        "'Key figures' is fuzzy",
        "'{members} members. Where know-how is",
        "the translation's {placeholders} differ",
        "fr/LC_MESSAGES/messages.mo is not the compiled .po",
    ):
        assert expected in problems, expected
    assert "es/LC_MESSAGES" not in problems


def test_every_label_language_has_a_catalogue():
    assert tuple(LOCALES) == LABEL_LANGUAGES
    for lang in LABEL_LANGUAGES:
        translated = gettext_for(lang).gettext("Peer learning across the network")
        assert (translated == "Peer learning across the network") == (lang == "en")
    with pytest.raises(ValueError, match="lang must be one of"):
        gettext_for("de")


def test_every_code_has_words():
    assert set(encoding.REASONS) == set(SOFT_TERMS)
    assert set(words.UNMATCHED) == {
        "no_shared_language",
        "no_stronger_mentor",
        "all_excluded",
        "capacity",
    }
    assert set(capacity_map.UNMET_REASONS) == {"no_expert", "not_enough_capacity"}


def test_portuguese_is_brazilian():
    pt = gettext_for("pt").gettext
    assert pt("South–South bonus") == "bônus Sul–Sul"
    tax = default_taxonomy()
    text = " ".join(
        [
            *(pt(m.id) for m in catalogues.extract() if isinstance(m.id, str) and m.id),
            *(tax.label(key, "pt") for key in tax.keys),
            *(tax.family_label(family, "pt") for family in FAMILIES),
        ]
    )
    for european in ("bónus", "partilh", "cinzent", "ecrã", "registo", "utilizador", "género"):
        assert not re.search(rf"\b{european}", text), european


def test_one_word_per_term():
    # "language" and "why" were translated two ways; one each now.
    for lang, language, why in (("es", "idioma", "motivo"), ("pt", "idioma", "motivo")):
        t = gettext_for(lang).gettext
        assert t("language") == t("lang") == language
        assert t("why") == why and t("why (largest first)").startswith(why)


@pytest.mark.parametrize("module", [formats, encoding], ids=lambda m: m.__name__)
def test_docstring_examples_run(module):
    result = doctest.testmod(module)
    assert result.failed == 0 and result.attempted > 0


def test_plural_messages_compare_between_po_and_mo():
    """A plural entry's id is a list in a .po and a tuple in a .mo: the
    check that a .mo is current must read both (it raised TypeError)."""
    import io

    from babel.messages.catalog import Catalog
    from babel.messages.mofile import read_mo, write_mo

    po = Catalog(locale="fr")
    po.add(["{n} round", "{n} rounds"], ["{n} cycle", "{n} cycles"])
    po.add("Round", "Cycle")
    buffer = io.BytesIO()
    write_mo(buffer, po)
    buffer.seek(0)
    compiled = catalogues._translations(read_mo(buffer))
    assert compiled == catalogues._translations(po)
    assert compiled[(("{n} round", "{n} rounds"), None)] == ("{n} cycle", "{n} cycles")

"""The interface words' catalogues (kg/translations/{lang}/LC_MESSAGES/messages.po, kg/i18n.py): every key in
every language, the same placeholders in each, and every key the templates and the code ask for."""

import re
import string

import pytest
from babel.messages.pofile import read_po

from kg import i18n, ontology_docs
from kg.resources import templates_dir
from kg.search_index import KIND_NAMES
from server.site import properties, views


def _read(lang: str) -> dict[tuple[str, str], str]:
    """The catalogue as written, empty translations included (kg.i18n leaves them out)."""
    with i18n.catalogue_file(lang).open("rb") as f:
        return {(m.context, m.id): m.string for m in read_po(f, locale=lang) if m.id}


CATALOGUES = {lang: _read(lang) for lang in i18n.LANGS}
KEYS = set().union(*CATALOGUES.values())


def _fields(text: str) -> set[str]:
    return {name for _, name, _, _ in string.Formatter().parse(text) if name is not None}


def test_the_catalogues_are_not_empty_and_use_only_known_groups():
    assert len(KEYS) > 300
    assert {context for context, _ in KEYS} <= set(i18n.CONTEXTS)


@pytest.mark.parametrize("lang", i18n.LANGS)
def test_every_key_has_a_translation_in_every_language(lang):
    missing = sorted(k for k in KEYS if not (CATALOGUES[lang].get(k) or "").strip())
    assert not missing, f"{lang} lacks {len(missing)}: {missing[:10]}"


def test_the_translations_keep_the_placeholders():
    for key in sorted(KEYS):
        fields = {lang: _fields(CATALOGUES[lang].get(key, "")) for lang in i18n.LANGS}
        assert fields["lv"] == fields["en"] == fields["ru"], (key, fields)


@pytest.mark.parametrize("lang", ["lv", "ru"])
def test_latvian_and_russian_are_translated_not_copied(lang):
    """No text is the English one copied, unless it is a name or a code every language writes alike."""
    en, other = CATALOGUES["en"], CATALOGUES[lang]
    same = sorted(k for k in KEYS if other.get(k) == en[k] and re.search(r"[a-z]{4}", en[k])
                  and not re.search(r"SPARQL|VoID", en[k]))
    assert not same, same


def _template_keys(pattern: str, names: str, package: str = "server.site") -> dict[str, set[str]]:
    found: dict[str, set[str]] = {}
    for path in sorted(templates_dir(package).glob(names)):
        text = path.read_text(encoding="utf-8")
        keys = set(re.findall(rf"\b{pattern}\.([a-z_0-9]+)\b", text))
        keys |= set(re.findall(rf"\b{pattern}\[['\"]([a-z_0-9]+)['\"]\]", text))
        found[path.name] = keys - {"get", "items", "keys"}  # the mapping's methods (t.get('count_' ~ key))
    return found


def test_every_key_the_templates_use_is_in_the_catalogues():
    page = set(i18n.strings("en", "page"))
    used = _template_keys("t", "*.html")  # t: the pages' words (pages._context)
    assert sum(map(len, used.values())) > 100
    for name, keys in used.items():
        assert keys <= page, (name, sorted(keys - page))
    query = set(i18n.strings("en", "query"))
    used = _template_keys("u", "yasgui.html")["yasgui.html"]  # u: the query page's words (ui.strings)
    assert used and used <= query, sorted(used - query)
    ontology = set(i18n.strings("en", "ontology"))
    used = _template_keys("w", "ontology.html", "kg")["ontology.html"]  # w: the ontology page's words
    assert used and used <= ontology, sorted(used - ontology)
    assert {key for key, _ in ontology_docs._KINDS} <= ontology  # its section titles, w[s.key]


def test_every_key_the_code_asks_for_is_in_the_catalogues():
    page = i18n.strings("en", "page")
    assert all(f"search_kind_{kind}" in page for kind in KIND_NAMES)
    assert {p.id for p in properties.NAMED} <= set(i18n.strings("en", "property"))
    svg = (views.Path(views.__file__).parent / "svg.py").read_text(encoding="utf-8")
    drawn, picture = set(re.findall(r"_w\(lang, ['\"](\w+)['\"]\)", svg)), set(i18n.strings("en", "picture"))
    assert drawn and drawn <= picture, sorted(drawn - picture)


def test_strings_picks_the_language_and_falls_back_to_english():
    assert i18n.strings("ru")["home"] == "Главная" and i18n.strings("lv")["home"] == "Sākums"
    assert i18n.strings("de") is i18n.strings("en")
    with pytest.raises(TypeError):
        i18n.strings("en")["home"] = "changed"  # shared by every request: read-only

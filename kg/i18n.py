"""The interface words in English, Latvian and Russian: one gettext catalogue per language,
``kg/translations/{lang}/LC_MESSAGES/messages.po``, read with Babel when first asked for (no compiled .mo).

Each message's ``msgctxt`` is its group and its ``msgid`` the key the code and the templates use; the English
catalogue holds the English words like the others:

- ``page``: the site's pages and templates (``t.key`` in server/site/templates/), the pictures' titles and
  legends, search, results;
- ``role``: a person's part in an act (participant, speaker, …);
- ``query``: the query page (``u.key`` in yasgui.html);
- ``term``: labels of the reused terms (CURIE keys) the ontology graph does not label;
- ``option``: vote options and results;
- ``picture``: the words drawn in the SVG pictures;
- ``property``: the reconciliation service's named properties;
- ``ontology``: the ontology page (kg/ontology_docs.py).

tests/test_i18n.py fails when a key lacks a language or a template uses a key the catalogues do not have.
"""
from __future__ import annotations

import functools
from pathlib import Path
from types import MappingProxyType

from babel.messages.pofile import read_po

from .resources import translations_dir

LANGS = ("en", "lv", "ru")
DEFAULT_LANG = "en"
LANG_NAMES = {"en": "English", "lv": "latviešu", "ru": "русский"}  # each in its own language
CONTEXTS = ("page", "role", "query", "term", "option", "picture", "property", "ontology")


def catalogue_file(lang: str) -> Path:
    return translations_dir() / lang / "LC_MESSAGES" / "messages.po"


@functools.cache
def messages(lang: str) -> dict[tuple[str, str], str]:
    """Every message of ``lang``'s catalogue as {(context, key): text} (empty texts left out)."""
    with catalogue_file(lang).open("rb") as f:
        catalog = read_po(f, locale=lang)
    return {(m.context, m.id): m.string for m in catalog if m.id and m.string}


def strings(lang: str, context: str = "page") -> MappingProxyType:
    """The words of one group in ``lang`` (one of LANGS, else English), read-only: {key: text}."""
    return _group(lang if lang in LANGS else DEFAULT_LANG, context)


@functools.cache
def _group(lang: str, context: str) -> MappingProxyType:  # shared by every request, hence read-only
    return MappingProxyType({k: text for (c, k), text in messages(lang).items() if c == context})

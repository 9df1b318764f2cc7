"""Properties of the graph's entities as the reconciliation service offers them (server/site/reconcile.py):
for property constraints in queries, property suggestions and data extension.

Two sorts of property id are understood:
- the named properties of ``NAMED`` (``wikidata``, ``posts``, ``memberships``, ``start``, …): paths through
  the graph that a spreadsheet user wants as one column (the posts a person held, with their dates; the
  Wikidata item), each a constant SPARQL pattern from ``?e`` to ``?v``;
- any predicate of the data as an IRI or a CURIE of the project's prefixes (``schema:startDate``,
  ``https://schema.org/startDate``): the values of ``?e <p> ?v``.

Values keep their precision: an ``xsd:date`` is a ``date`` (midnight UTC, as the API's format requires), a
month or a year (``xsd:gYearMonth``, ``xsd:gYear``) stays the string ``1957-06`` / ``1956``. Entities of
the graph are ``{id, name}``; other IRIs (Wikidata, DBpedia) are strings.
"""
from __future__ import annotations

import re
from dataclasses import dataclass

import pyoxigraph as ox

from kg import i18n, names
from kg.namespaces import PREFIXES

from . import queries, views

XSD = PREFIXES["xsd"]
WIKIDATA = PREFIXES["wd"]


@dataclass(frozen=True)
class Named:
    id: str
    kinds: tuple[str, ...]  # page kinds it is proposed for (kg.search_index.KINDS)
    pattern: str  # SPARQL from ?e to ?v (a constant text: ?e is bound by substitution)
    description: str
    label_with: str | None = None  # a pattern giving ?from ?to ?what: the value shown as "what (from – to)"


# Persons' posts and memberships: holdings (apg:PostHolding) and memberships (org:Membership) name the person
# with org:member; their dates are schema:startDate / schema:endDate.
NAMED = (
    Named("wikidata",
          ("person", "organization", "place", "post", "event", "session"),
          f"?e owl:sameAs ?v FILTER(STRSTARTS(STR(?v), '{WIKIDATA}'))",
          "the Wikidata item of the entity (owl:sameAs), as its IRI"),
    Named("dbpedia",
          ("person", "organization", "place", "post", "event", "session"),
          f"?e owl:sameAs ?v FILTER(STRSTARTS(STR(?v), '{PREFIXES['dbr']}'))",
          "the DBpedia resource of the entity (owl:sameAs), as its IRI"),
    Named("posts", ("person",),
          "?h org:member ?e ; apg:post ?v", "the posts the person held (apg:PostHolding)"),
    Named("post_periods",
          ("person",), "?h org:member ?e ; apg:post ?v",
          "each post the person held with its dates as the source gives them",
          label_with="?h org:member ?e ; apg:post ?what OPTIONAL { ?h schema:startDate ?from } "
                     "OPTIONAL { ?h schema:endDate ?to }"),
    Named("memberships", ("person",),
          "?m org:member ?e ; org:organization ?v FILTER NOT EXISTS { ?m apg:post ?p }",
          "the organisations the person was a member of (org:Membership)"),
    Named("membership_periods",
          ("person",), "?m org:member ?e ; org:organization ?v FILTER NOT EXISTS { ?m apg:post ?p }",
          "each membership with its dates as the source gives them",
          label_with="?m org:member ?e ; org:organization ?what FILTER NOT EXISTS { ?m apg:post ?p } "
                     "OPTIONAL { ?m schema:startDate ?from } OPTIONAL { ?m schema:endDate ?to }"),
    Named("holders", ("post",),
          "?h apg:post ?e ; org:member ?v", "the persons who held the post"),
    Named("members", ("organization",),
          "?m org:organization ?e ; org:member ?v", "the persons who were members of the organisation"),
    Named("start", ("event", "session", "vote", "speech"),
          "?e schema:startDate ?v", "when it began (schema:startDate), with the precision the source gives"),
    Named("end", ("event", "session", "vote", "speech"),
          "?e schema:endDate ?v", "when it ended (schema:endDate), with the precision the source gives"),
    Named("date", ("decision",), "?e dcterms:date ?v",
          "the date of the decision (dcterms:date)"),
    Named("place", ("event", "session", "vote", "speech", "post"),
          "?e prov:atLocation ?v", "where it took place (prov:atLocation)"),
    Named("participants", ("event", "session", "vote", "speech"),
          "?e apg:participant ?v", "who took part (apg:participant)"),
    Named("organization", ("post",),
          "?e org:postIn ?v", "the organisation the post is in (org:postIn)"),
    Named("part_of", ("organization",),
          "?e org:subOrganizationOf|org:unitOf ?v", "the organisation it belongs to"),
    Named("label_en", (), "?e rdfs:label ?v "
          "FILTER(LANG(?v) = 'en')", "the English name"),
    Named("label_lv", (),
          "?e rdfs:label ?v FILTER(LANG(?v) = 'lv')", "the Latvian name"),
    Named("label_ru", (),
          "?e rdfs:label ?v FILTER(LANG(?v) = 'ru')", "the Russian name"),
    Named("sentences", (),
          "?e prov:wasDerivedFrom ?v", "the sentences of the source that state it"),
)
BY_ID = {p.id: p for p in NAMED}
_DATE = re.compile(r"-?\d{4}(-\d\d){0,2}")
_CURIE = re.compile(r"([A-Za-z][\w-]*):([A-Za-z_][\w.-]*)")


def label(prop: Named, lang: str) -> str:
    """The property's name in ``lang`` (kg/i18n.py, group ``property``)."""
    return i18n.strings(views.pick_lang(lang), "property")[prop.id]


def predicate(pid: str) -> str | None:
    """A property id that is a predicate: its IRI (from an IRI or a CURIE of the project's prefixes)."""
    m = _CURIE.fullmatch(pid)
    if m and m.group(1) in PREFIXES:
        return PREFIXES[m.group(1)] + m.group(2)
    if re.match(r"https?://\S+$", pid):
        try:
            return ox.NamedNode(pid).value
        except ValueError:
            return None
    return None


def known(pid: str) -> bool:
    return pid in BY_ID or predicate(pid) is not None


def name(pid: str, lab: views.Labeller) -> str:
    if pid in BY_ID:
        return label(BY_ID[pid], lab.lang)
    return lab.label(predicate(pid) or pid)


def _period(start, end) -> str:
    if start is None and end is None:
        return ""
    return f" ({start.value if start else ''} – {end.value if end else ''})"


def values(store, pid: str, iri: str, lab: views.Labeller) -> list:
    """The values of property ``pid`` on entity ``iri``: pyoxigraph terms, or strings for the ``…_periods``
    properties. Sorted and without repeats."""
    prop = BY_ID.get(pid)
    if prop is not None and prop.label_with:
        rows = views.select(store, f"SELECT ?e ?what ?from ?to WHERE {{ {prop.label_with} }}", e=iri)
        lab.fetch(r["what"].value for r in rows)
        return sorted({lab.label(r["what"].value) + _period(r["from"], r["to"]) for r in rows})
    if prop is not None:  # (substituted variables must be in the projection)
        rows = views.select(store, f"SELECT DISTINCT ?e ?v WHERE {{ {prop.pattern} }}", e=iri)
    else:
        rows = views.select(store, queries.load("property-values"), e=iri, p=predicate(pid))
    return sorted((r["v"] for r in rows if r["v"] is not None), key=lambda t: (type(t).__name__, str(t)))


def cell(term, lab: views.Labeller, base: str) -> dict:
    """One value as the data extension response writes it."""
    if isinstance(term, str):
        return {"str": term}
    if isinstance(term, ox.NamedNode):
        if term.value.startswith(base + "id/"):
            return {"id": term.value, "name": lab.label(term.value)}
        return {"str": term.value}
    if isinstance(term, ox.Literal):
        dt = term.datatype.value if term.datatype else ""
        if dt == XSD + "date" and re.fullmatch(r"-?\d{4,}-\d\d-\d\d", term.value):
            return {"date": term.value + "T00:00:00Z"}
        integers = (XSD + "integer", XSD + "int", XSD + "nonNegativeInteger")
        if dt in integers and re.fullmatch(r"-?\d+", term.value):
            return {"int": int(term.value)}
        if dt in (XSD + "decimal", XSD + "double", XSD + "float"):
            try:
                return {"float": float(term.value)}
            except ValueError:
                pass
        return {"str": term.value}
    return {"str": str(term)}


def choose(terms: list, lang: str) -> list:
    """Of language-tagged strings keep those in ``lang``, else English, else all (as the pages do)."""
    tagged = [t for t in terms if isinstance(t, ox.Literal) and t.language]
    if not tagged:
        return terms
    for want in (lang, "en"):
        keep = [t for t in tagged if t.language == want]
        if keep:
            return [t for t in terms if t not in tagged] + keep
    return terms


def _given(value) -> tuple[str | None, str | None]:
    """A constraint value of the query: (an IRI it names or None, a text to compare or None)."""
    if isinstance(value, dict):
        return value.get("id"), value.get("name")
    if isinstance(value, bool):
        return None, "true" if value else "false"
    if isinstance(value, str) and re.fullmatch(r"Q\d+", value):
        return WIKIDATA + value, None
    if isinstance(value, str) and re.match(r"https?://", value):
        return value, None
    return None, str(value)


def match(store, pid: str, iri: str, wanted: list, lab: views.Labeller) -> float:
    """How well entity ``iri``'s values of ``pid`` fit the query's values ``wanted`` (0-100): the mean over
    the wanted values of the best fit of each (an IRI equal, a date or number equal or a prefix of the date,
    or a name: kg/names.py on the value's label)."""
    have = values(store, pid, iri, lab)
    if not wanted:
        return 0.0
    total = 0.0
    for value in wanted:
        want_iri, want_text = _given(value)
        best = 0.0
        for term in have:
            text = term if isinstance(term, str) else term.value
            if want_iri is not None and text == want_iri:
                best = 100.0
                break
            if want_text is None:
                continue
            if isinstance(term, ox.NamedNode):
                best = max(best, names.score(want_text, lab.label(term.value)))
            elif text == want_text or _DATE.fullmatch(want_text) and text.startswith(want_text):
                best = 100.0
            elif _DATE.fullmatch(want_text) and _DATE.fullmatch(text) and want_text.startswith(text):
                best = max(best, 90.0)  # a day within the month (or year) the source gives
            else:
                best = max(best, names.score(want_text, text))
        total += best
    return round(total / len(wanted), 2)

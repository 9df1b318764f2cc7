"""What the HTML pages show, collected from the store with SPARQL: plain functions, no Flask.

Every function takes an ``OxigraphStore`` (server/store.py), works on its default dataset (the data and
ontology graphs; the metadata graph by ``GRAPH`` where said) and returns plain dicts and lists, ready for the
templates in ``server/site/templates/`` (rendered by ``server/site/pages.py``) and the pictures of
``server/site/svg.py``.

A linked value is a dict ``{"iri", "label", "href", "external"}``: ``href`` is the local path (``/id/...``)
for an IRI under the dataset's base, the IRI itself for any other http(s) IRI. Labels are chosen in the asked
language (en, lv or ru), else English, else untagged, else any; a term without a label gets one from the
``term`` group of the catalogues (kg/i18n.py) or its local name. Dates are ISO strings: ``start``/``end`` as
the source gives them (day, month or year precision), ``not_before``/``not_after`` the derived ``xsd:date``
bounds.
"""

from __future__ import annotations

import re
import weakref
from pathlib import Path
from urllib.parse import quote

import pyoxigraph as ox

from kg import i18n
from kg.i18n import DEFAULT_LANG, LANGS
from kg.namespaces import PREFIXES

from . import queries

RDF = PREFIXES["rdf"]
RDFS = PREFIXES["rdfs"]
OWL = PREFIXES["owl"]
PROV = PREFIXES["prov"]
APG = PREFIXES["apg"]
WIKIDATA = PREFIXES["wd"]
DBPEDIA = PREFIXES["dbr"]
# curie() names terms of vocabularies; an identity link's target (a Wikidata item, a DBpedia resource) keeps
# its IRI, and a term of vann: (which TERMS does not label) its local name, as pages have always shown it
_TERM_PREFIXES = {p: ns for p, ns in PREFIXES.items() if p not in ("wd", "dbr", "vann")}

_OPTION_ORDER = ("yes", "no", "abstain", "absent")
_CODED = ("opengov:option", "opengov:result")  # literals that are codes of the catalogues' option group
_XSD_INTEGER = ox.NamedNode(PREFIXES["xsd"] + "integer")

# kinds of page, in the order they are tried: the first class the resource has (directly or by subclass) wins
KINDS = (
    ("vote", "opengov:VoteEvent"),
    ("session", "apg:Session"),
    ("speech", "apg:SpeechAct"),
    ("event", "apg:Event"),
    ("person", "foaf:Person"),
    ("decision", "apg:Decision"),
    ("sentence", "apg:Sentence"),
    ("claim", "apg:Claim"),
    ("holding", "apg:PostHolding"),
    ("membership", "org:Membership"),
    ("organization", "org:Organization"),
    ("post", "org:Post"),
    ("place", "schema:Place"),
    ("topic", "skos:Concept"),
)
# shown in their own sections, not in the property table
_OWN_SECTION = {RDF + "type", RDFS + "label", PROV + "wasDerivedFrom", OWL + "sameAs", APG + "gloss"}


def pick_lang(value: str | None) -> str:
    """``value`` if it is one of LANGS (a region suffix is ignored), else English."""
    value = (value or "").strip().lower()[:2]
    return value if value in LANGS else DEFAULT_LANG


def curie(iri: str) -> str:
    for prefix, ns in _TERM_PREFIXES.items():
        if iri.startswith(ns) and re.fullmatch(r"[A-Za-z_][\w.-]*", iri[len(ns) :]):
            return f"{prefix}:{iri[len(ns) :]}"
    return iri


def local_path(iri: str, base: str | None) -> str | None:
    """The server path of an IRI under the dataset base (``{base}id/x/y`` -> ``/id/x/y``), else None."""
    if base and iri.startswith(base) and len(iri) > len(base):
        return "/" + quote(iri[len(base) :], safe="/#-._~!$&'()*+,;=:@%?")
    return None


def page_href(href: str | None, lang: str) -> str | None:
    """A local page address keeping the page language: ``/id/x`` -> ``/id/x?lang=lv`` (English: unchanged)."""
    if href and pick_lang(lang) != DEFAULT_LANG and href.startswith("/id/") and "?" not in href:
        return f"{href}?lang={pick_lang(lang)}"
    return href


def _node(iri: str | ox.NamedNode) -> ox.NamedNode:
    """The IRI as a term; ValueError for anything that is not a valid IRI."""
    return iri if isinstance(iri, ox.NamedNode) else ox.NamedNode(iri)


def select(store, sparql: str, **given) -> list[dict]:
    """The rows of a SELECT query. ``given``: values for variables of the query (IRIs as strings or terms,
    or literals), bound before evaluation (pyoxigraph's substitutions, SPARQL SEP-0007). Page queries are
    constant texts, the named files of server/site/queries/ (``queries.load``): no IRI or value ever becomes
    part of the text, so no request can change what a query says (no SERVICE, no injected pattern); an
    invalid IRI is a ValueError before anything runs. The project's prefixes are predefined here too, for the
    texts composed from properties.NAMED's patterns."""
    bound = {ox.Variable(k): v if isinstance(v, ox.Literal) else _node(v) for k, v in given.items()}
    result = store.query(sparql, prefixes=PREFIXES, substitutions=bound or None)
    names = [v.value for v in result.variables]
    return [{n: row[n] for n in names} for row in result]


def ask(store, sparql: str, **given) -> bool:
    """The answer of an ASK query, ``given`` bound as for ``select``."""
    bound = {ox.Variable(k): _node(v) for k, v in given.items()}
    return bool(store.query(sparql, prefixes=PREFIXES, substitutions=bound or None))


def _v(term) -> str | None:
    return None if term is None else term.value


def literal_view(term) -> dict | None:
    if term is None:
        return None
    return {
        "text": term.value,
        "lang": getattr(term, "language", None) or None,
        "datatype": curie(term.datatype.value) if isinstance(term, ox.Literal) and term.datatype else None,
    }


# What pages keep of a store between requests: a served store never changes (the server never writes), so
# its labels (537 in this build: one query) and the parts of its unlabelled resources (one query each, first
# time asked) are read once per process. Weak keys: a store that is gone takes its memo with it.
_MEMO: weakref.WeakKeyDictionary = weakref.WeakKeyDictionary()


def store_memo(store) -> dict:
    memo = _MEMO.get(store)
    if memo is None:
        labels: dict[str, dict[str, str]] = {}
        for row in select(store, queries.load("labels")):
            labels.setdefault(row["x"].value, {}).setdefault(row["l"].language or "", row["l"].value)
        memo = _MEMO[store] = {"labels": labels, "parts": {}}
    return memo


_PARTS_QUERY = queries.load("label-parts")


class Labeller:
    """Labels of IRIs in one language, fetched in batches and cached for one page."""

    def __init__(self, store, lang: str):
        self.store, self.lang, self.base = store, pick_lang(lang), store.manifest.get("base")
        self._cache: dict[str, str] = {}
        self._other_lang: dict[str, str] = {}  # iri -> the language of its label, when not the page's

    def _labels(self, iris: list[str]) -> dict[str, dict[str, str]]:
        """iri -> {language tag or "": label} for those of ``iris`` that have labels."""
        labels = store_memo(self.store)["labels"]
        return {i: labels[i] for i in iris if i in labels}

    def fetch(self, iris) -> None:
        todo = sorted({i for i in iris if i and i not in self._cache})
        for chunk in (todo[i : i + 200] for i in range(0, len(todo), 200)):
            found = self._labels(chunk)
            missing = [i for i in chunk if i not in found]
            composite = self._composite(missing) if missing else {}
            for iri in chunk:
                by_lang = found.get(iri)
                if by_lang:
                    tag = next((t for t in (self.lang, "en", "") if by_lang.get(t)), sorted(by_lang)[0])
                    self._cache[iri] = by_lang[tag]
                    if tag not in (self.lang, ""):
                        self._other_lang[iri] = tag
                elif iri in composite:
                    self._cache[iri] = composite[iri]
                else:
                    self._cache[iri] = self._fallback(iri)

    def _composite(self, iris: list[str]) -> dict[str, str]:
        """Labels made from the parts of unlabelled resources: 'member · post' / 'member · role, organisation'
        for memberships and holdings, 'yes: 7' for vote counts, 'voter: no' for a named vote, 'type: affected'
        for the effects of a decision."""
        known = store_memo(self.store)["parts"]
        for iri in iris:
            if iri not in known:
                d: dict[str, list] = {}
                for row in select(self.store, _PARTS_QUERY, x=iri):
                    for k, term in row.items():
                        if term is not None and k != "x" and term.value not in d.get(k, []):
                            d.setdefault(k, []).append(term.value)
                known[iri] = d
        parts = {iri: known[iri] for iri in iris}
        self.fetch(
            {
                v
                for d in parts.values()
                for k in ("m", "p", "o", "r", "voter", "type", "affects")
                for v in d.get(k, [])
            }
        )

        def names(d, k):
            return ", ".join(sorted(self.label(v) for v in d.get(k, [])))

        out = {}
        for iri, d in parts.items():
            if "m" in d:
                what = names(d, "p") or ", ".join(n for n in (names(d, "r"), names(d, "o")) if n)
                out[iri] = f"{names(d, 'm')} · {what}" if what else names(d, "m")
            elif "voter" in d and "option" in d:
                out[iri] = f"{names(d, 'voter')}: {option_label(d['option'][0], self.lang)}"
            elif "option" in d and "value" in d:
                out[iri] = f"{option_label(d['option'][0], self.lang)}: {d['value'][0]}"
            elif "type" in d:
                out[iri] = (
                    f"{names(d, 'type')}: {names(d, 'affects')}" if "affects" in d else names(d, "type")
                )
        return out

    def _fallback(self, iri: str) -> str:
        c = curie(iri)
        terms = i18n.strings(self.lang, "term")  # the reused terms the ontology graph does not label
        if c in terms:
            return terms[c]
        if c != iri:
            return c
        return re.split(r"[/#]", iri.rstrip("/"))[-1] or iri

    def label(self, iri: str) -> str:
        if iri not in self._cache:
            self.fetch([iri])
        return self._cache[iri]

    def label_lang(self, iri: str) -> str | None:
        """The language of ``iri``'s label when it is not the page's (a resource with no label in the page
        language shows its English one: the page marks it lang="en"), else None."""
        self.label(iri)
        return self._other_lang.get(iri)

    def link(self, iri: str | None) -> dict | None:
        if iri is None:
            return None
        href = local_path(iri, self.base)
        external = href is None
        if external and re.match(r"https?://", iri):
            href = iri
        return {"iri": iri, "label": self.label(iri), "lang": self.label_lang(iri), "href": href,
                "external": external}

    def text(self, terms) -> dict | None:
        """One literal of several: in the page language, else English, else untagged, else the first."""
        terms = [t for t in terms if t is not None]
        for want in (self.lang, "en", None):
            for t in terms:
                if (getattr(t, "language", None) or None) == want:
                    return literal_view(t)
        return literal_view(terms[0]) if terms else None


def _choose_literals(lab: Labeller, literals: list) -> list:
    """Of language-tagged literals keep those in the page language, else English, else all."""
    tagged = [t for t in literals if getattr(t, "language", None)]
    if not tagged:
        return literals
    for want in (lab.lang, "en"):
        keep = [t for t in tagged if t.language == want]
        if keep:
            return keep + [t for t in literals if not getattr(t, "language", None)]
    return literals


def labelled_values(lab: Labeller, terms: list, predicate: str | None = None) -> list[dict]:
    """Display values: links for IRIs (sorted by label), literals as text. The values of a vote's option and
    result (``predicate``) are codes ("yes", "pass"): ``shown`` says them in the page language."""
    iris = [t.value for t in terms if isinstance(t, ox.NamedNode)]
    lab.fetch(iris)
    links = sorted((lab.link(i) for i in set(iris)), key=lambda v: (v["label"].casefold(), v["iri"]))
    # term: the N-Triples form, by which server/site/footnotes.py finds the statement's reifier
    lits = [
        dict(literal_view(t), term=str(t))
        for t in _choose_literals(lab, [t for t in terms if isinstance(t, ox.Literal)])
    ]
    if predicate and curie(predicate) in _CODED:
        for v in (v for v in lits if not v["lang"]):
            v["shown"] = option_label(v["text"], lab.lang)  # "text" stays the literal's value
    lits.sort(key=lambda v: (v["lang"] or "", v["text"]))
    blank = i18n.strings(lab.lang)["blank_node"]
    blanks = [{"text": blank, "lang": None, "datatype": None} for t in terms if isinstance(t, ox.BlankNode)]
    return (
        [dict(v, kind="iri", term=f"<{v['iri']}>") for v in links]
        + [dict(v, kind="literal") for v in lits]
        + [dict(v, kind="literal") for v in blanks]
    )


def _properties(lab: Labeller, pairs: list[tuple[str, object]]) -> list[dict]:
    by_prop: dict[str, list] = {}
    for p, o in pairs:
        by_prop.setdefault(p, []).append(o)
    lab.fetch(by_prop)
    rows = [
        {"property": lab.link(p), "curie": curie(p), "values": labelled_values(lab, objs, p)}
        for p, objs in by_prop.items()
    ]

    rows.sort(key=lambda r: (r["property"]["label"].casefold(), r["curie"]))
    return rows


def expand(name: str) -> str:
    """The IRI of a prefixed name of the project's prefixes (``foaf:Person``)."""
    prefix, local = name.split(":", 1)
    return PREFIXES[prefix] + local


def kinds(store, iri: str) -> list[str]:
    """Page kinds of the resource (see KINDS), most specific first."""
    found = {row["c"].value for row in select(store, queries.load("classes"), this=iri)}
    return [k for k, c in KINDS if expand(c) in found]


def sources(store, iris: list[str], lab: Labeller) -> list[dict]:
    """The sentences the resources derive from (prov:wasDerivedFrom), in source order: id, Latvian text, link,
    and which of ``iris`` cite each."""
    if not iris:
        return []
    rows = [
        row
        for iri in dict.fromkeys(iris)
        for row in select(store, queries.load("sources"), x=iri)
    ]
    out: dict[str, dict] = {}
    for row in rows:
        s = row["s"].value
        entry = out.setdefault(
            s,
            {
                "sentence": lab.link(s),
                "id": _v(row["sid"]) or s.rsplit("/", 1)[-1],
                "text": _v(row["text"]),
                "lang": (row["text"].language if row["text"] else None) or "lv",
                "gloss": literal_view(row["gloss"]),
                "position": int(row["pos"].value) if row["pos"] else None,
                "document": lab.link(_v(row["doc"])),
                "cited_by": [],
            },
        )
        if row["x"].value not in entry["cited_by"]:
            entry["cited_by"].append(row["x"].value)
    for entry in out.values():
        entry["cited_by"] = [lab.link(i) for i in sorted(entry["cited_by"])]
    return sorted(
        out.values(),
        key=lambda e: (e["document"]["iri"] if e["document"] else "", e["position"] or 0, e["id"]),
    )


def same_as(lab: Labeller, terms: list) -> list[dict]:
    """owl:sameAs links, named by their target: Wikidata (with its Q-id), DBpedia, or other."""
    out = []
    for iri in sorted({t.value for t in terms if isinstance(t, ox.NamedNode)}):
        if iri.startswith(WIKIDATA):
            out.append({"iri": iri, "href": iri, "site": "Wikidata", "label": iri[len(WIKIDATA) :]})
        elif iri.startswith(DBPEDIA):
            out.append(
                {"iri": iri, "href": iri, "site": "DBpedia", "label": iri[len(DBPEDIA) :].replace("_", " ")}
            )
        else:
            link = lab.link(iri)
            out.append({"iri": iri, "href": link["href"], "site": "", "label": link["label"]})
    return out


def resource_view(store, iri: str, lang: str = DEFAULT_LANG) -> dict | None:
    """Everything a resource page shows, or None if the dataset says nothing about ``iri``.

    Keys: iri, lang, label, labels (all languages), kinds, types, properties (outgoing, without type/label/
    provenance/sameAs), parts (sub-resources ``{iri}/...`` with their properties), incoming (grouped by
    property), sources (sentences with Latvian text), same_as (Wikidata/DBpedia), and by kind: timeline +
    events (person), session, vote, decision, sentence. Raises ValueError if ``iri`` is not a valid IRI.
    """
    lang = pick_lang(lang)
    node = _node(iri)
    lab = Labeller(store, lang)
    out_rows = select(store, queries.load("outgoing"), this=node)
    in_rows = select(store, queries.load("incoming"), this=node)
    if not out_rows and not in_rows:
        return None
    by_p: dict[str, list] = {}
    for row in out_rows:
        by_p.setdefault(row["p"].value, []).append(row["o"])
    labels = sorted(
        {(t.language or "", t.value) for t in by_p.get(RDFS + "label", []) if isinstance(t, ox.Literal)}
    )
    types = [t.value for t in by_p.get(RDF + "type", []) if isinstance(t, ox.NamedNode)]
    lab.fetch([iri, *types])
    view = {
        "iri": iri,
        "lang": lang,
        "base": lab.base,
        "label": lab.label(iri),
        "label_lang": lab.label_lang(iri),
        "labels": [{"lang": code, "text": text} for code, text in labels],
        "kinds": kinds(store, iri),
        "types": sorted((lab.link(t) for t in types), key=lambda v: v["label"]),
        "properties": _properties(
            lab, [(row["p"].value, row["o"]) for row in out_rows if row["p"].value not in _OWN_SECTION]
        ),
        "same_as": same_as(lab, by_p.get(OWL + "sameAs", [])),
    }
    view["kind"] = view["kinds"][0] if view["kinds"] else "resource"
    view["parts"] = _parts(store, iri, lab)
    incoming: dict[str, list] = {}
    for row in in_rows:
        if iri.startswith(row["s"].value + "/"):
            continue  # the parent of a sub-resource: linked from the breadcrumb instead
        if row["p"].value == PROV + "wasDerivedFrom" and "sentence" in view["kinds"]:
            continue  # listed by sentence_view as what derives from the sentence
        incoming.setdefault(row["p"].value, []).append(row["s"])
    view["incoming"] = _properties(lab, [(p, s) for p, subjects in incoming.items() for s in subjects])
    view["parent"] = _parent(store, iri, lab)
    view["sources"] = sources(store, [iri] + [p["resource"]["iri"] for p in view["parts"]], lab)
    kind_set = set(view["kinds"])
    if "person" in kind_set:
        view["timeline"] = person_timeline(store, iri, lang, lab)
        view["events"] = person_events(store, iri, lang, lab)
    if "session" in kind_set:
        view["session"] = session_view(store, iri, lang, lab)
    if "vote" in kind_set:
        view["vote"] = vote_view(store, iri, lang, lab)
    if "decision" in kind_set:
        view["decision"] = decision_view(store, iri, lang, lab)
    if "sentence" in kind_set:
        view["sentence"] = sentence_view(store, iri, lang, lab)
    from . import corrections, footnotes  # they build on this module

    # footnotes: the words that state each statement row, numbered in page order
    notes = footnotes.Footnotes(store, lab)
    notes.outgoing(iri, view["properties"])
    for part in view["parts"]:
        notes.outgoing(part["resource"]["iri"], part["properties"])
    notes.incoming(iri, view["incoming"])
    view["footnotes"] = notes.notes
    view["corrections"] = corrections.corrections(store, lab, iri)
    return view


def _parent(store, iri: str, lab: Labeller) -> dict | None:
    """For a sub-resource ``{parent}/x``: the parent, if the dataset knows it."""
    parent = iri.rsplit("/", 1)[0]
    base = lab.base or ""
    if not parent.startswith(base + "id/") or parent.count("/") <= (base + "id/x").count("/"):
        return None
    if not ask(store, queries.load("described"), this=parent):
        return None
    return lab.link(parent)


def _parts(store, iri: str, lab: Labeller) -> list[dict]:
    """Sub-resources (``{iri}/...``) linked from the resource, each with its properties."""
    rows = select(store, queries.load("sub-resources"), this=iri)
    by_s: dict[str, list] = {}
    for row in rows:
        if row["p"].value not in (PROV + "wasDerivedFrom",):
            by_s.setdefault(row["s"].value, []).append((row["p"].value, row["o"]))
    lab.fetch(by_s)
    return [
        {"resource": lab.link(s), "properties": _properties(lab, pairs)} for s, pairs in sorted(by_s.items())
    ]


# ---------------------------------------------------------------- persons


def _date(term) -> str | None:
    return None if term is None else term.value


def person_timeline(store, iri: str, lang: str = DEFAULT_LANG, lab: Labeller | None = None) -> list[dict]:
    """The person's posts (apg:PostHolding) and memberships (org:Membership), in time order (undated last).

    Each: iri/link, kind ("post" | "membership"), title, post, organization, role, start, end (as the source
    dates them; start_date / end_date: with their precision, ``date_view``), not_before, not_after (derived
    bounds), after (the event it began after), began_by, ended_by,
    sources (sentence ids)."""
    lab = lab or Labeller(store, lang)
    rows = select(store, queries.load("person-timeline"), this=iri)
    entries: dict[str, dict] = {}
    for row in rows:
        m = row["m"].value
        e = entries.get(m)
        if e is None:
            e = entries[m] = {k: _v(row[k]) for k in ("post", "org", "role", "after", "began", "ended")}
            e.update(
                iri=m,
                kind="post" if row["holding"].value == "true" else "membership",
                start=_date(row["start"]),
                end=_date(row["end"]),
                start_date=date_view(row["start"]),
                end_date=date_view(row["end"]),
                not_before=_date(row["nb"]),
                not_after=_date(row["na"]),
                sources=set(),
            )
        if row["sid"]:
            e["sources"].add(row["sid"].value)
    lab.fetch(
        {
            v
            for e in entries.values()
            for k in ("iri", "post", "org", "role", "after", "began", "ended")
            if (v := e[k])
        }
    )
    out = []
    for e in entries.values():
        post, org, role = lab.link(e["post"]), lab.link(e["org"]), lab.link(e["role"])
        if post:
            title = post["label"]
        elif role and org:
            title = f"{org['label']} ({role['label']})"
        else:
            title = (org or role or {"label": lab.label(e["iri"])})["label"]
        out.append(
            {
                "iri": e["iri"],
                "link": lab.link(e["iri"]),
                "kind": e["kind"],
                "title": title,
                "post": post,
                "organization": org,
                "role": role,
                "start": e["start"],
                "end": e["end"],
                "start_date": e["start_date"],
                "end_date": e["end_date"],
                "not_before": e["not_before"],
                "not_after": e["not_after"],
                "after": lab.link(e["after"]),
                "began_by": lab.link(e["began"]),
                "ended_by": lab.link(e["ended"]),
                "sources": sorted(e["sources"], key=_sid_key),
            }
        )
    out.sort(key=lambda e: (e["not_before"] or e["not_after"] or "9999", e["kind"], e["title"]))
    return out


def _sid_key(sid: str):
    m = re.fullmatch(r"([a-z]+)(\d+)", sid)
    return (m.group(1), int(m.group(2))) if m else (sid, 0)


def person_events(store, iri: str, lang: str = DEFAULT_LANG, lab: Labeller | None = None) -> list[dict]:
    """Events, speech acts, votes and decisions the person took part in or was the target of, in time order.
    Each: link, roles (participant, speaker, target, chair, voter, affected), not_before, not_after (the
    event's bounds, else those of the session it belongs to)."""
    lab = lab or Labeller(store, lang)
    rows = select(store, queries.load("person-events"), this=iri)
    events: dict[str, dict] = {}
    for row in rows:
        e = events.setdefault(row["e"].value, {"roles": set(), "not_before": None, "not_after": None})
        e["roles"].add(row["role"].value)
        e["not_before"] = e["not_before"] or _date(row["nb"])
        e["not_after"] = e["not_after"] or _date(row["na"])
    lab.fetch(events)
    out = [
        {
            "link": lab.link(i),
            "roles": sorted(e["roles"]),
            "not_before": e["not_before"],
            "not_after": e["not_after"],
        }
        for i, e in events.items()
    ]
    out.sort(key=lambda e: (e["not_before"] or e["not_after"] or "9999", e["link"]["label"]))
    return out


# ---------------------------------------------------------------- sessions, votes, decisions


def session_view(store, iri: str, lang: str = DEFAULT_LANG, lab: Labeller | None = None) -> dict:
    """A session: organ, chair, start/end, agenda and pretext (in the page language), its parts
    (schema:superEvent) split into speech acts (with speakers and targets), votes (as vote_view) and other
    events, and the decisions adopted at it."""
    lab = lab or Labeller(store, lang)
    own = select(store, queries.load("outgoing"), this=iri)
    vals: dict[str, list] = {}
    for row in own:
        vals.setdefault(curie(row["p"].value), []).append(row["o"])

    def one_link(c):
        return [lab.link(t.value) for t in vals.get(c, []) if isinstance(t, ox.NamedNode)]

    parts = select(store, queries.load("session-parts"), this=iri)
    people = select(store, queries.load("session-people"), this=iri)
    who: dict[str, dict[str, list]] = {}
    for row in people:
        who.setdefault(row["x"].value, {}).setdefault(row["role"].value, []).append(row["who"].value)
    lab.fetch({row["x"].value for row in parts} | {w for d in who.values() for ws in d.values() for w in ws})
    speech_acts, events, votes = [], [], []
    for row in sorted(parts, key=lambda r: (_date(r["nb"]) or "9999", r["x"].value)):
        x = row["x"].value
        entry = {"link": lab.link(x), "not_before": _date(row["nb"]), "not_after": _date(row["na"])}
        for role in ("speakers", "targets", "participants", "topics", "types"):
            entry[role] = sorted(
                (lab.link(w) for w in set(who.get(x, {}).get(role, []))), key=lambda v: v["label"]
            )
        if row["vote"].value == "true":
            votes.append(vote_view(store, x, lang, lab))
        elif row["speech"].value == "true":
            speech_acts.append(entry)
        else:
            events.append(entry)
    decisions = select(store, queries.load("session-decisions"), this=iri)
    return {
        "link": lab.link(iri),
        "organ": one_link("apg:organ"),
        "chair": one_link("apg:chair"),
        "start": _date(vals.get("schema:startDate", [None])[0]),
        "end": _date(vals.get("schema:endDate", [None])[0]),
        "not_before": _date(vals.get("apg:notBefore", [None])[0]),
        "not_after": _date(vals.get("apg:notAfter", [None])[0]),
        "agenda": lab.text(vals.get("apg:agenda", [])),
        "pretext": lab.text(vals.get("apg:pretext", [])),
        "speech_acts": speech_acts,
        "events": events,
        "votes": votes,
        "decisions": [lab.link(row["d"].value) for row in decisions],
    }


def option_label(option: str, lang: str) -> str:
    return i18n.strings(pick_lang(lang), "option").get(option, option)


def vote_view(store, iri: str, lang: str = DEFAULT_LANG, lab: Labeller | None = None) -> dict:
    """A vote event: link, organ, session, motion (label in the page language), result, resulting decision,
    and counts [{option, option_label, value, voters (the named ones, links), unnamed}] in yes/no/abstain
    order."""
    lab = lab or Labeller(store, lang)
    counts = select(store, queries.load("vote-counts"), this=iri)
    voters = select(store, queries.load("vote-voters"), this=iri)
    info = select(store, queries.load("vote-info"), this=iri)
    row = info[0] if info else {}
    by_option: dict[str, list[str]] = {}
    for v in voters:
        by_option.setdefault(v["option"].value, []).append(v["voter"].value)
    lab.fetch(
        [
            iri,
            *(w for ws in by_option.values() for w in ws),
            *(_v(row.get(k)) for k in ("organ", "session", "motion", "decision") if row.get(k)),
        ]
    )
    out_counts = []
    options = {c["option"].value: int(c["value"].value) for c in counts}
    for option in sorted(
        set(options) | set(by_option), key=lambda o: (_OPTION_ORDER.index(o) if o in _OPTION_ORDER else 99, o)
    ):
        named = sorted((lab.link(w) for w in by_option.get(option, [])), key=lambda v: v["label"])
        value = options.get(option, len(named))
        out_counts.append(
            {
                "option": option,
                "option_label": option_label(option, lang),
                "value": value,
                "voters": named,
                "unnamed": max(value - len(named), 0),
            }
        )
    result = _v(row.get("result"))
    return {
        "link": lab.link(iri),
        "label": lab.label(iri),
        "organ": lab.link(_v(row.get("organ"))),
        "session": lab.link(_v(row.get("session"))),
        "motion": lab.link(_v(row.get("motion"))),
        "result": result,
        "result_label": option_label(result, lang) if result else None,
        "decision": lab.link(_v(row.get("decision"))),
        "counts": out_counts,
        "total": sum(c["value"] for c in out_counts),
    }


def decision_view(store, iri: str, lang: str = DEFAULT_LANG, lab: Labeller | None = None) -> dict:
    """A decision: adopted by/at, date, addressed to, and its effects [{link, type, affects, post,
    organization, sources}]."""
    lab = lab or Labeller(store, lang)
    rows = select(store, queries.load("decision-effects"), this=iri)
    info = select(store, queries.load("decision-info"), this=iri)
    row = info[0] if info else {}
    effects: dict[str, dict] = {}
    notes: dict[str, list] = {}
    for r in rows:
        e = effects.setdefault(r["e"].value, {k: set() for k in ("type", "affects", "post", "org", "sid")})
        for k in e:
            if r[k] is not None:
                e[k].add(r[k].value)
        if r["note"] is not None and r["note"] not in notes.setdefault(r["e"].value, []):
            notes[r["e"].value].append(r["note"])
    lab.fetch(
        [
            iri,
            *effects,
            *(v for e in effects.values() for k in ("type", "affects", "post", "org") for v in e[k]),
            *(_v(row.get(k)) for k in ("by", "at", "to") if row.get(k)),
        ]
    )

    def links(values):
        return sorted((lab.link(v) for v in values), key=lambda v: v["label"])

    return {
        "link": lab.link(iri),
        "adopted_by": lab.link(_v(row.get("by"))),
        "adopted_at": lab.link(_v(row.get("at"))),
        "addressed_to": lab.link(_v(row.get("to"))),
        "date": _v(row.get("date")),
        "effects": [
            {
                "link": lab.link(e),
                "type": links(v["type"]),
                "affects": links(v["affects"]),
                "post": links(v["post"]),
                "organization": links(v["org"]),
                "note": lab.text(notes.get(e, [])),
                "sources": sorted(v["sid"], key=_sid_key),
            }
            for e, v in effects.items()
        ],
    }


# ---------------------------------------------------------------- sentences


def sentence_view(store, iri: str, lang: str = DEFAULT_LANG, lab: Labeller | None = None) -> dict:
    """A source sentence: id, position, Latvian text, source document (title, web address, license), the
    resources derived from it (with their kind), and the previous and next sentences of the same document."""
    lab = lab or Labeller(store, lang)
    rows = select(store, queries.load("sentence"), this=iri)
    row = rows[0] if rows else {}
    pos = int(row["pos"].value) if row.get("pos") else None
    prev_next = {}
    if pos is not None and row.get("doc"):
        for name, p in (("previous", pos - 1), ("next", pos + 1)):
            found = select(store, queries.load("sentence-at"), doc=row["doc"],
                           at=ox.Literal(str(p), datatype=_XSD_INTEGER))
            prev_next[name] = found[0]["s"].value if found else None
    cited = select(store, queries.load("sentence-derived"), this=iri)
    by_x: dict[str, set] = {}
    for r in cited:
        by_x.setdefault(r["x"].value, set()).update([r["type"].value] if r["type"] else [])
    lab.fetch(
        [
            iri,
            *by_x,
            *(t for ts in by_x.values() for t in ts),
            *(v for v in prev_next.values() if v),
            *([row["doc"].value] if row.get("doc") else []),
        ]
    )
    derived = [{"link": lab.link(x), "types": sorted({lab.label(t) for t in ts})} for x, ts in by_x.items()]
    derived.sort(key=lambda d: (d["link"]["iri"].split("/id/")[-1].split("/")[0], d["link"]["label"]))
    url = _v(row.get("url"))
    from .footnotes import marked, sentence_statements  # it builds on this module

    statements = sentence_statements(store, iri, lab)
    text = _v(row.get("text"))
    return {
        "link": lab.link(iri),
        "id": _v(row.get("sid")) or iri.rsplit("/", 1)[-1],
        "position": pos,
        "text": text,
        "pieces": marked(text or "", [(st["start"], st["end"]) for st in statements]),
        "gloss": literal_view(row.get("gloss")),
        "statements": statements,
        "lang": (row["text"].language if row.get("text") else None) or "lv",
        "document": lab.link(_v(row.get("doc"))),
        "document_title": _v(row.get("title")),
        "url": url if url and re.match(r"https?://", url) else None,
        "license": _v(row.get("license")),
        "previous": lab.link(prev_next.get("previous")),
        "next": lab.link(prev_next.get("next")),
        "derived": derived,
    }


# ---------------------------------------------------------------- the whole episode, the landing page


_XSD = PREFIXES["xsd"]
# the precision a date literal keeps (the build derives the xsd:date bounds apg:notBefore / apg:notAfter)
PRECISION = {
    _XSD + "date": "day", _XSD + "dateTime": "day", _XSD + "gYearMonth": "month", _XSD + "gYear": "year"
}


def date_view(term) -> dict | None:
    """A date as the source gives it: text (the literal), precision (day, month, year; None for another
    datatype such as s30's misstated ``xsd:gMonthDay``)."""
    if term is None:
        return None
    datatype = term.datatype.value if isinstance(term, ox.Literal) and term.datatype else None
    return {"text": term.value, "precision": PRECISION.get(datatype)}


def exact(date: dict | None) -> bool:
    return bool(date) and date["precision"] == "day"


def episode_items(store, lang: str = DEFAULT_LANG, lab: Labeller | None = None) -> list[dict]:
    """Everything with a derived date bound (apg:notBefore / apg:notAfter): events, speech acts, votes
    (through their session), holdings, memberships, decisions. Each: link, kind (the IRI's kind segment),
    not_before, not_after (the bounds: compare and place through these), start, end (``date_view`` of the
    dates the source gives: schema:startDate / schema:endDate, else dcterms:date; None where it gives none and
    a bound comes from what the item followed), uncertain (not both ends known to the day), after (link),
    session (link, for parts of a session). Sorted by date."""
    lab = lab or Labeller(store, lang)
    rows = select(store, queries.load("episode-items"))
    lab.fetch({row["x"].value for row in rows} | {row["after"].value for row in rows if row["after"]})
    base = (lab.base or "") + "id/"
    out = []
    for row in rows:
        x = row["x"].value
        kind = x[len(base) :].split("/")[0] if x.startswith(base) else "resource"
        start, end = date_view(row["s"] or row["d"]), date_view(row["e"] or row["d"])
        nb, na = _date(row["nb"]), _date(row["na"])
        out.append(
            {
                "link": lab.link(x),
                "kind": kind,
                "not_before": nb,
                "not_after": na,
                "start": start,
                "end": end,
                "uncertain": not (exact(start) and exact(end)),
                "after": lab.link(_v(row["after"])),
            }
        )
    out.sort(
        key=lambda e: (
            e["not_before"] or e["not_after"] or "9999",
            e["not_after"] or "9999",
            e["link"]["label"],
        )
    )
    return out


def undated_items(store, lang: str = DEFAULT_LANG, lab: Labeller | None = None) -> list[dict]:
    """The events that have no date bound, neither their own nor their session's: link, time (the source's
    words for when, in the page language), concurrent_with, part_of (links), sources (sentence ids). Read once
    per store and language (a served store never changes)."""
    memo = store_memo(store).setdefault("undated", {})
    if pick_lang(lang) not in memo:
        memo[pick_lang(lang)] = _undated_items(store, lab or Labeller(store, lang))
    return memo[pick_lang(lang)]


def _undated_items(store, lab: Labeller) -> list[dict]:
    rows = select(store, queries.load("undated-items"))
    found: dict[str, dict] = {}
    for row in rows:
        e = found.setdefault(row["x"].value, {"time": [], "with": set(), "part": set(), "sid": set()})
        if row["time"] is not None and row["time"] not in e["time"]:
            e["time"].append(row["time"])
        for k in ("with", "part", "sid"):
            if row[k] is not None:
                e[k].add(row[k].value)
    lab.fetch(set(found) | {v for e in found.values() for k in ("with", "part") for v in e[k]})
    out = [
        {
            "link": lab.link(x),
            "time": lab.text(e["time"]),
            "concurrent_with": sorted((lab.link(v) for v in e["with"]), key=lambda v: v["label"]),
            "part_of": sorted((lab.link(v) for v in e["part"]), key=lambda v: v["label"]),
            "sources": sorted(e["sid"], key=_sid_key),
        }
        for x, e in found.items()
    ]
    out.sort(key=lambda e: (_sid_key(e["sources"][0]) if e["sources"] else ("~", 0), e["link"]["label"]))
    return out


def example_queries(queries_dir: Path | str) -> list[dict]:
    """The competency queries ``NN-slug.rq``: name, title (first comment line), text, href (to /sparql)."""
    out = []
    for path in sorted(Path(queries_dir).glob("*.rq")):
        text = path.read_text(encoding="utf-8")
        first = next((line for line in text.splitlines() if line.strip()), "")
        title = first.lstrip("#").strip() if first.lstrip().startswith("#") else path.stem
        out.append(
            {"name": path.stem, "title": title, "text": text,
             "href": "/sparql?format=html&query=" + quote(text, safe="")}
        )
    return out


# the kinds the landing page counts and indexes (and server/site/indexes.py gives a page each)
INDEX_KINDS = (
    ("person", "foaf:Person"),
    ("organization", "org:Organization"),
    ("session", "apg:Session"),
    ("vote", "opengov:VoteEvent"),
    ("decision", "apg:Decision"),
    ("event", "apg:Event"),
    ("sentence", "apg:Sentence"),
)


def landing_view(store, lang: str = DEFAULT_LANG, queries_dir: Path | str | None = None) -> dict:
    """The landing page: title and description (metadata graph), version, base, license, source, counts (from
    manifest.json: triples per graph, links, SHACL), entity counts per kind, an index of persons,
    organisations, sessions, votes, decisions and events, the example queries and the downloads (manifest
    files)."""
    lang = pick_lang(lang)
    lab = Labeller(store, lang)
    m = store.manifest
    meta_graph = m["graphs"]["metadata"]["iri"] if "metadata" in m.get("graphs", {}) else None
    title = description = None
    if meta_graph:
        rows = select(store, queries.load("dataset-title"), g=meta_graph)
        title = lab.text([r["o"] for r in rows if r["p"].value.endswith("title")])
        description = lab.text([r["o"] for r in rows if r["p"].value.endswith("description")])
    index = {}
    counts = {}
    for key, cls in INDEX_KINDS:
        rows = select(store, queries.load("instances"), c=expand(cls))
        counts[key] = len(rows)
        if key != "sentence":
            lab.fetch(r["x"].value for r in rows)
            index[key] = sorted((lab.link(r["x"].value) for r in rows), key=lambda v: v["label"].casefold())
    shown = {v["iri"] for k in ("session", "vote") for v in index.get(k, [])}
    index["event"] = [
        v for v in index.get("event", []) if v["iri"] not in shown and "/speech/" not in v["iri"]
    ]
    src = select(store, queries.load("landing-source"))
    files = m.get("files", {})
    return {
        "lang": lang,
        "name": m.get("name", "apg-kg"),
        "version": m.get("version"),
        "base": m.get("base"),
        "title": title,
        "description": description,
        "graphs": [
            {"name": n, "iri": g.get("iri"), "triples": g.get("triples")}
            for n, g in sorted(m.get("graphs", {}).items())
        ],
        "triples": sum(g.get("triples") or 0 for g in m.get("graphs", {}).values()),
        "links": m.get("links", {}),
        "shacl": m.get("shacl", {}),
        "counts": counts,
        "index": index,
        "source": (
            {"link": lab.link(src[0]["doc"].value), "title": src[0]["title"].value, "url": _v(src[0]["url"])}
            if src
            else None
        ),
        "license": "https://creativecommons.org/licenses/by-sa/4.0/",
        "queries": example_queries(queries_dir) if queries_dir and Path(queries_dir).is_dir() else [],
        "downloads": [
            {
                "name": n,
                "href": f"/download/{quote(n)}",
                "bytes": f.get("bytes"),
                "media_type": f.get("media_type"),
                "sha256": f.get("sha256"),
                "triples": f.get("triples"),
                "gzip": f.get("encoding") == "gzip",
            }
            for n, f in sorted(files.items())
        ],
    }

"""The identity links as files of their own, for those who link back.

- ``linkset-wikidata.nt``, ``linkset-dbpedia.nt``: the data graph's ``owl:sameAs`` triples to that target and
  nothing else (VoID linksets, described in the metadata graph with ``void:dataDump``). They hold exactly the
  links the graph publishes: Wikidata items only from the verified rows of ``kg/source/wikidata-links.tsv``
  (kg/builders.py ``add_links``), DBpedia resources from its English Wikipedia titles.
- ``mixnmatch.tsv``: a catalogue for Wikidata's Mix'n'match, so Wikidata editors can match its items to ours.
  The import format (https://meta.wikimedia.org/wiki/Mix%27n%27match/Import, "Data columns"): CSV or TSV with
  one header row of recognised, case-insensitive column names: ``id`` and ``name`` (mandatory), ``desc`` or
  ``description``, ``url`` (else made from the property's formatter URL; this catalogue has no Wikidata
  property, so every row gives its URL). Beyond what that page's text as read here lists: ``type``, the
  entry's Wikidata class (Q5: human, the one type ID given here, and only for persons), and ``q``, the item an
  entry is already matched to, as other catalogue exports write it (DraCor's ``id,name,q``); ``q`` comes only
  from the verified links, through the graph's owl:sameAs.
"""
from rdflib import Graph, URIRef
from rdflib.namespace import DCTERMS, OWL, RDFS

from .namespaces import PREFIXES

# target name: the namespace of its IRIs (the same names as the VoID linksets {base}dataset/linkset/{name})
TARGETS = {"wikidata": PREFIXES["wd"], "dbpedia": PREFIXES["dbr"]}
MIXNMATCH = "mixnmatch.tsv"
MIXNMATCH_COLUMNS = ("id", "name", "description", "type", "url", "q")
# The named entities of the link report (kg/links.py), with the word a description uses for each kind.
KIND_WORDS = {"person": "person", "organization": "organisation", "place": "place", "post": "post",
              "rank": "rank", "event": "event", "topic": "topic"}
HUMAN = "Q5"


def linkset_file(name: str) -> str:
    return f"linkset-{name}.nt"


def linkset(data: Graph, name: str) -> Graph:
    """The owl:sameAs triples of ``data`` whose object is in the target's namespace."""
    prefix = TARGETS[name]
    g = Graph()
    for s, o in data.subject_objects(OWL.sameAs):
        if isinstance(o, URIRef) and str(o).startswith(prefix):
            g.add((s, OWL.sameAs, o))
    return g


def _cell(text: str) -> str:
    return " ".join(str(text).split())  # no tab or line break inside a cell


def mixnmatch(data: Graph, registry: dict, base: str) -> bytes:
    """The Mix'n'match catalogue of the named entities, sorted by id (the same build, the same bytes)."""
    rows = []
    for key, (kind, iri) in registry.items():
        if kind not in KIND_WORDS or (iri, DCTERMS.isReplacedBy, None) in data:  # retired IRIs: not entries
            continue
        names = {label.language: str(label) for label in data.objects(iri, RDFS.label)}
        name = names.get("en") or names.get("lv") or key
        wikidata = sorted(str(o)[len(TARGETS["wikidata"]):] for o in data.objects(iri, OWL.sameAs)
                          if str(o).startswith(TARGETS["wikidata"]))
        description = (f"{KIND_WORDS[kind]} in the Anti-Party Group knowledge graph (apg-kg; the 1957 "
                       "attempt to remove Khrushchev, from the Latvian Wikipedia article "
                       "'Antipartijiskā grupa')")
        rows.append((str(iri)[len(base) + len("id/"):], name, description, HUMAN if kind == "person" else "",
                     str(iri), wikidata[0] if wikidata else ""))
    lines = ["\t".join(MIXNMATCH_COLUMNS)] + ["\t".join(_cell(c) for c in row) for row in sorted(rows)]
    return ("\n".join(lines) + "\n").encode("utf-8")

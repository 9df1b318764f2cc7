"""The ontology file against the closed namespace, and its header and term documentation."""
from html.parser import HTMLParser

import pytest
from rdflib import Graph, URIRef
from rdflib.namespace import OWL, RDF, RDFS, SKOS

from kg import i18n
from kg.namespaces import APG, ONTOLOGY_IRI
from kg.pipeline import ONTOLOGY_FILE

DCTERMS = "http://purl.org/dc/terms/"
VANN = "http://purl.org/vocab/vann/"


def _ontology() -> Graph:
    return Graph().parse(ONTOLOGY_FILE, format="turtle")


def _defined_terms(g: Graph) -> set[str]:
    ns = str(APG._NS)
    return {str(s)[len(ns):] for s in g.subjects() if isinstance(s, URIRef) and str(s).startswith(ns)}


def test_closed_namespace_matches_the_ontology_file():
    declared = set(APG.__annotations__)
    assert declared == _defined_terms(_ontology())


def test_closed_namespace_rejects_typos():
    with pytest.raises(AttributeError):
        APG.Sesion  # noqa: B018


def test_ontology_header():
    g = _ontology()
    assert (ONTOLOGY_IRI, RDF.type, OWL.Ontology) in g
    for p in (OWL.versionIRI, OWL.versionInfo, URIRef(DCTERMS + "license"), URIRef(DCTERMS + "created"),
              URIRef(DCTERMS + "modified"), URIRef(VANN + "preferredNamespacePrefix"),
              URIRef(VANN + "preferredNamespaceUri")):
        assert g.value(ONTOLOGY_IRI, p) is not None, p
    assert not list(g.objects(ONTOLOGY_IRI, OWL.imports)), "no owl:imports: nothing may be fetched"


def test_every_term_has_labels_definition_and_is_defined_by():
    g = _ontology()
    for name in _defined_terms(g):
        term = APG[name]
        langs = {lit.language for lit in g.objects(term, RDFS.label)}
        assert {"en", "lv", "ru"} <= langs, name
        assert g.value(term, SKOS.definition) is not None, name
        assert (term, RDFS.isDefinedBy, ONTOLOGY_IRI) in g, name


def test_popolo_terms_use_the_opengov_namespace():
    text = ONTOLOGY_FILE.read_text()
    assert "popoloproject.com" not in text
    assert "http://www.w3.org/ns/opengov#" in text


def test_persons_and_organisations_are_disjoint():
    g = _ontology()
    assert (URIRef("http://xmlns.com/foaf/0.1/Person"), OWL.disjointWith,
            URIRef("http://www.w3.org/ns/org#Organization")) in g


class _Page(HTMLParser):
    """What a page of the ontology documentation holds: section ids, the table of contents' links, the
    <html lang>, and the text of each h2/h3 heading."""

    def __init__(self, html: str):
        super().__init__()
        self.ids, self.toc, self.headings, self.lang = set(), [], [], None
        self._in_toc = self._heading = False
        self.feed(html)

    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        if tag == "html":
            self.lang = a.get("lang")
        if a.get("id"):
            self.ids.add(a["id"])
        if tag == "nav" and a.get("id") == "toc":
            self._in_toc = True
        if self._in_toc and tag == "a":
            self.toc.append(a["href"])
        if tag in ("h2", "h3"):
            self._heading = True
            self.headings.append("")

    def handle_endtag(self, tag):
        if tag == "nav":
            self._in_toc = False
        if tag in ("h2", "h3"):
            self._heading = False

    def handle_data(self, data):
        if self._heading:
            self.headings[-1] += data


@pytest.mark.parametrize("lang,name", [("en", "ontology.html"), ("lv", "ontology.lv.html"),
                                       ("ru", "ontology.ru.html")])
def test_generated_ontology_documentation_in_every_language(dist, lang, name):
    """Every term has its section; the table of contents links every kind of term and every term; the
    headings and the term names are in the page's language."""
    g = _ontology()
    page = _Page((dist / name).read_text(encoding="utf-8"))
    assert page.lang == lang
    terms = set(APG.__annotations__)
    assert terms <= page.ids
    assert {f"#{t}" for t in terms} <= set(page.toc) and all(h[1:] in page.ids for h in page.toc)
    words = i18n.strings(lang, "ontology")
    kinds = [words[k] for k in ("classes", "object_properties", "datatype_properties", "concepts")]
    assert words["contents"] in page.headings and all(k in page.headings for k in kinds)
    holding = next(str(o) for o in g.objects(APG.PostHolding, RDFS.label) if o.language == lang)
    assert any(h.startswith(holding + " /") for h in page.headings), holding  # its own language first
    if lang != "en":  # the anchors stay the English titles, so links into the page work in every language
        assert "#Object-properties" in page.toc and "Object properties" not in page.headings

"""The ontology file against the closed namespace, and its header and term documentation."""
from rdflib import Graph, URIRef
from rdflib.namespace import OWL, RDF, RDFS, SKOS

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
    import pytest

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


def test_generated_ontology_documentation_lists_every_term(dist):
    from html.parser import HTMLParser

    html = (dist / "ontology.html").read_text()
    ids = set()

    class Collect(HTMLParser):
        def handle_starttag(self, tag, attrs):
            if tag == "section":
                ids.add(dict(attrs).get("id"))

    Collect().feed(html)
    assert ids == set(APG.__annotations__)
    assert "amata ieņemšana" in html  # Latvian labels are there

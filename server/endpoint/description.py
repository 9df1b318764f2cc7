"""The SPARQL 1.1 Service Description of the endpoint (https://www.w3.org/TR/sparql11-service-description/),
answered at GET /sparql without a query: the query language, every result format, the default dataset (the
union of the data and ontology graphs) and its named graphs with their sizes, a link (rdfs:seeAlso) to the
VoID description at /.well-known/void, and the prefixes every query may use without declaring them.

The prefixes are given in SHACL's vocabulary for prefix declarations (https://www.w3.org/TR/shacl/#sparql-prefixes),
as SIB's endpoints (UniProt, Bgee…) publish theirs: ``<{endpoint}#prefixes>``, an ``owl:Ontology`` that
``sh:declare``s one ``sh:PrefixDeclaration`` (``sh:prefix`` "foaf", ``sh:namespace``
"http://xmlns.com/foaf/0.1/"^^xsd:anyURI) per prefix, linked from the service by ``rdfs:seeAlso``. SPARQL 1.1
Service Description has no term of its own for them."""
import pyoxigraph as ox

from kg.namespaces import NAMESPACES

from ..formats import FORMATS
from .diagnostics import PREDEFINED

SD = NAMESPACES["sd"]
VOID = NAMESPACES["void"]
RDF_TYPE = ox.NamedNode(NAMESPACES["rdf"] + "type")
RDFS = NAMESPACES["rdfs"]
XSD_INTEGER = ox.NamedNode(NAMESPACES["xsd"] + "integer")
XSD_ANY_URI = ox.NamedNode(NAMESPACES["xsd"] + "anyURI")
SH = NAMESPACES["sh"]
OWL_ONTOLOGY = ox.NamedNode(NAMESPACES["owl"] + "Ontology")
# the prefixes its Turtle, TriG and RDF/XML forms bind
BINDINGS = {p: NAMESPACES[p] for p in ("sd", "void", "rdfs", "fmt", "ent", "sh", "owl", "xsd")}


def _sd(name: str) -> ox.NamedNode:
    return ox.NamedNode(SD + name)


def _prefix_declarations(service: ox.NamedNode, node: ox.NamedNode) -> list[ox.Triple]:
    t = [
        ox.Triple(service, ox.NamedNode(RDFS + "seeAlso"), node),
        ox.Triple(node, RDF_TYPE, OWL_ONTOLOGY),
        ox.Triple(node, ox.NamedNode(RDFS + "comment"), ox.Literal(
            "Prefixes predefined for every query of this endpoint; a PREFIX declared in the query wins.",
            language="en")),
    ]
    for prefix, namespace in PREDEFINED.items():
        declaration = ox.BlankNode()
        t += [
            ox.Triple(node, ox.NamedNode(SH + "declare"), declaration),
            ox.Triple(declaration, RDF_TYPE, ox.NamedNode(SH + "PrefixDeclaration")),
            ox.Triple(declaration, ox.NamedNode(SH + "prefix"), ox.Literal(prefix)),
            ox.Triple(declaration, ox.NamedNode(SH + "namespace"),
                      ox.Literal(namespace, datatype=XSD_ANY_URI)),
        ]
    return t


def service_description(store, endpoint: str, void: str, base: str) -> list[ox.Triple]:
    """Triples describing the service at ``endpoint`` (its absolute URL); ``void``: the VoID document URL;
    ``base``: the build's base IRI, under which ``{base}dataset`` names the dataset (as the metadata graph
    does)."""
    service = ox.NamedNode(endpoint)
    dataset = ox.NamedNode(f"{base}dataset")
    see_also = ox.NamedNode(RDFS + "seeAlso")
    comment = ox.NamedNode(RDFS + "comment")
    default_graph = ox.BlankNode()
    t = [
        ox.Triple(service, RDF_TYPE, _sd("Service")),
        ox.Triple(service, _sd("endpoint"), service),
        ox.Triple(service, _sd("supportedLanguage"), _sd("SPARQL11Query")),
        ox.Triple(service, _sd("defaultEntailmentRegime"),
                  ox.NamedNode(NAMESPACES["ent"] + "Simple")),
        ox.Triple(service, _sd("defaultDataset"), dataset),
        ox.Triple(service, see_also, ox.NamedNode(void)),
        ox.Triple(service, comment, ox.Literal(
            "Read-only SPARQL 1.1 query endpoint. SERVICE is refused; FROM/FROM NAMED and "
            "default-graph-uri/named-graph-uri select graphs of this dataset only; DESCRIBE answers the "
            "symmetric concise bounded description. The prefixes declared by <#prefixes> may be used "
            "without a PREFIX declaration.", language="en")),
    ]
    t += _prefix_declarations(service, ox.NamedNode(endpoint + "#prefixes"))
    t += [ox.Triple(service, _sd("resultFormat"), ox.NamedNode(f.iri)) for f in FORMATS]
    t += [
        ox.Triple(dataset, RDF_TYPE, _sd("Dataset")),
        ox.Triple(dataset, see_also, ox.NamedNode(void)),
        ox.Triple(dataset, _sd("defaultGraph"), default_graph),
        ox.Triple(default_graph, RDF_TYPE, _sd("Graph")),
        ox.Triple(default_graph, comment, ox.Literal(
            "The union of " + " and ".join(f"<{g.value}>" for g in store.default_graph), language="en")),
    ]
    for name in sorted(store.graphs):
        iri = store.graphs[name]
        named, graph = ox.BlankNode(), ox.BlankNode()
        t += [
            ox.Triple(dataset, _sd("namedGraph"), named),
            ox.Triple(named, RDF_TYPE, _sd("NamedGraph")),
            ox.Triple(named, _sd("name"), iri),
            ox.Triple(named, _sd("graph"), graph),
            ox.Triple(graph, RDF_TYPE, _sd("Graph")),
        ]
        triples = store.triples(iri)
        if triples is not None:
            t.append(ox.Triple(graph, ox.NamedNode(VOID + "triples"),
                               ox.Literal(str(triples), datatype=XSD_INTEGER)))
    return t

"""Human documentation of the ontology, generated at build time (dist/ontology.html).

Every class, property and concept of the apg: namespace with its English and Latvian labels, definition,
super-terms, domain and range, and how often the data uses it.
"""
from jinja2 import Environment, FileSystemLoader, select_autoescape
from rdflib import Graph, URIRef
from rdflib.namespace import OWL, RDF, RDFS, SKOS

from . import __version__
from .namespaces import ONTOLOGY_IRI, PREFIXES
from .resources import templates_dir

_ENV = Environment(loader=FileSystemLoader(templates_dir("kg")),
                   autoescape=select_autoescape(["html"]), trim_blocks=True, lstrip_blocks=True)
_KINDS = (("Classes", OWL.Class), ("Object properties", OWL.ObjectProperty),
          ("Datatype properties", OWL.DatatypeProperty), ("Annotation properties", OWL.AnnotationProperty),
          ("Concept schemes", SKOS.ConceptScheme), ("Concepts", SKOS.Concept))


def curie(iri) -> str:
    text = str(iri)
    for prefix, ns in PREFIXES.items():
        if text.startswith(ns):
            return f"{prefix}:{text[len(ns):]}"
    return text


def _label(g: Graph, term, lang: str) -> str:
    return next((str(o) for o in g.objects(term, RDFS.label) if o.language == lang), "")


def _usage(data: Graph, term: URIRef) -> int:
    return len(set(data.subjects(RDF.type, term))) + len(list(data.triples((None, term, None)))) + \
        len(list(data.triples((None, None, term))))


def render(ontology: Graph, data: Graph) -> bytes:
    ns = PREFIXES["apg"]
    sections = []
    for title, kind in _KINDS:
        terms = sorted(t for t in ontology.subjects(RDF.type, kind) if str(t).startswith(ns))
        rows = [{
            "id": str(t)[len(ns):], "iri": str(t), "curie": curie(t),
            "en": _label(ontology, t, "en"), "lv": _label(ontology, t, "lv"),
            "definition": str(ontology.value(t, SKOS.definition) or ""),
            "super": [curie(o) for o in sorted(ontology.objects(t, RDFS.subClassOf))
                      + sorted(ontology.objects(t, RDFS.subPropertyOf))],
            "domain": [curie(o) for o in sorted(ontology.objects(t, RDFS.domain))],
            "range": [curie(o) for o in sorted(ontology.objects(t, RDFS.range))],
            "scheme": [curie(o) for o in sorted(ontology.objects(t, SKOS.inScheme))],
            "usage": _usage(data, t),
        } for t in terms]
        if rows:
            sections.append({"title": title, "terms": rows})
    html = _ENV.get_template("ontology.html").render(
        iri=str(ONTOLOGY_IRI), version=__version__, sections=sections,
        title=str(ontology.value(ONTOLOGY_IRI, URIRef("http://purl.org/dc/terms/title")) or "Ontology"),
        description=str(ontology.value(ONTOLOGY_IRI, URIRef("http://purl.org/dc/terms/description")) or ""),
        notes=sorted(str(o) for o in ontology.objects(ONTOLOGY_IRI, SKOS.note)),
        examples=sorted(str(o) for o in ontology.objects(ONTOLOGY_IRI, SKOS.example)),
    )
    return html.encode("utf-8")

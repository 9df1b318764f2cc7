"""Human documentation of the ontology, generated at build time: one page per language of the interface
(kg/i18n.py), ``dist/ontology.html`` in English and ``dist/ontology.{lang}.html`` in the others, which the
server's ``/ontology`` picks by ``?lang=`` or Accept-Language.

Every class, property and concept of the apg: namespace with its labels (the page's language first, then the
other two), definition, super-terms, domain and range, and how often the data uses it, under a table of
contents by kind of term. Headings and the other words of the page come from the catalogues' ``ontology``
group; the definitions and notes are the ontology's own (English) texts.
"""
from jinja2 import Environment, FileSystemLoader, select_autoescape
from rdflib import Graph, URIRef
from rdflib.namespace import DCTERMS, OWL, RDF, RDFS, SKOS

from . import __version__, i18n
from .namespaces import ONTOLOGY_IRI, PREFIXES
from .resources import templates_dir

_ENV = Environment(loader=FileSystemLoader(templates_dir("kg")),
                   autoescape=select_autoescape(["html"]), trim_blocks=True, lstrip_blocks=True)
# (catalogue key, kind of term), in the order of the page; a section's anchor is its English title
_KINDS = (("classes", OWL.Class), ("object_properties", OWL.ObjectProperty),
          ("datatype_properties", OWL.DatatypeProperty), ("annotation_properties", OWL.AnnotationProperty),
          ("concept_schemes", SKOS.ConceptScheme), ("concepts", SKOS.Concept))


def file_name(lang: str) -> str:
    """The build's file of the page in ``lang``: ontology.html (English), ontology.{lang}.html."""
    return "ontology.html" if lang == i18n.DEFAULT_LANG else f"ontology.{lang}.html"


def curie(iri) -> str:
    text = str(iri)
    for prefix, ns in PREFIXES.items():
        if text.startswith(ns):
            return f"{prefix}:{text[len(ns):]}"
    return text


def _text(g: Graph, subject, predicate, lang: str) -> str:
    """The ``predicate`` text of ``subject`` in ``lang``, else in English, else empty."""
    texts = {o.language: str(o) for o in g.objects(subject, predicate)}
    return texts.get(lang) or texts.get(i18n.DEFAULT_LANG, "")


def _usage(data: Graph, term: URIRef) -> int:
    return len(set(data.subjects(RDF.type, term))) + len(list(data.triples((None, term, None)))) + \
        len(list(data.triples((None, None, term))))


def terms(ontology: Graph) -> list:
    """The terms the pages show (each with its usage in the data)."""
    ns = PREFIXES["apg"]
    return sorted({t for _, kind in _KINDS for t in ontology.subjects(RDF.type, kind)
                   if str(t).startswith(ns)})


def usage(ontology: Graph, data) -> dict:
    """{term: how often the data uses it}: its instances, the triples with it as predicate or object."""
    return {t: _usage(data, t) for t in terms(ontology)}


def _sections(ontology: Graph, used: dict) -> list[dict]:
    """The terms by kind, each with its labels in every language: what every language's page shows."""
    ns = PREFIXES["apg"]
    anchors = i18n.strings("en", "ontology")
    sections = []
    for key, kind in _KINDS:
        terms = sorted(t for t in ontology.subjects(RDF.type, kind) if str(t).startswith(ns))
        rows = [{
            "id": str(t)[len(ns):], "iri": str(t), "curie": curie(t),
            "labels": {lang: _text(ontology, t, RDFS.label, lang) for lang in i18n.LANGS},
            "definition": str(ontology.value(t, SKOS.definition) or ""),
            "super": [curie(o) for o in sorted(ontology.objects(t, RDFS.subClassOf))
                      + sorted(ontology.objects(t, RDFS.subPropertyOf))],
            "domain": [curie(o) for o in sorted(ontology.objects(t, RDFS.domain))],
            "range": [curie(o) for o in sorted(ontology.objects(t, RDFS.range))],
            "scheme": [curie(o) for o in sorted(ontology.objects(t, SKOS.inScheme))],
            "usage": used[t],
        } for t in terms]
        if rows:
            sections.append({"key": key, "anchor": anchors[key].replace(" ", "-"), "terms": rows})
    return sections


def render(ontology: Graph, data: Graph | None = None, used: dict | None = None) -> dict[str, bytes]:
    """The page in every language: {file name (``file_name``): HTML bytes}; ``used``: usage(), if the
    caller has it."""
    sections = _sections(ontology, usage(ontology, data) if used is None else used)
    description = str(ontology.value(ONTOLOGY_IRI, DCTERMS.description) or "")
    notes = sorted(str(o) for o in ontology.objects(ONTOLOGY_IRI, SKOS.note))
    examples = sorted(str(o) for o in ontology.objects(ONTOLOGY_IRI, SKOS.example))
    pages = {}
    for lang in i18n.LANGS:
        others = [code for code in i18n.LANGS if code != lang]
        title = _text(ontology, ONTOLOGY_IRI, DCTERMS.title, lang) or "Ontology"
        html = _ENV.get_template("ontology.html").render(
            lang=lang, others=others, w=i18n.strings(lang, "ontology"), iri=str(ONTOLOGY_IRI),
            version=__version__, sections=sections, title=title, description=description, notes=notes,
            examples=examples, langs=[{"lang": code, "name": i18n.LANG_NAMES[code], "current": code == lang}
                                      for code in i18n.LANGS],
        )
        pages[file_name(lang)] = html.encode("utf-8")
    return pages

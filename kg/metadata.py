"""The metadata graph: the dataset described with VoID and DCAT.

Byte sizes and checksums of the dumps live in manifest.json and SHA256SUMS, not here: the dataset dumps
contain this graph, so it cannot carry their checksums.
"""
from rdflib import Graph, Literal, URIRef
from rdflib.namespace import DCAT, DCTERMS, OWL, RDF, RDFS, XSD

from . import __version__
from .dist import FORMAT_BY_EXTENSION, FORMATS
from .iris import Iris
from .linksets import MIXNMATCH, TARGETS, linkset_file
from .namespaces import ONTOLOGY_IRI, PREFIXES, VOID

LICENSE = URIRef("https://creativecommons.org/licenses/by-sa/4.0/")
FOAF = PREFIXES["foaf"]
EXAMPLES = ("person/khrushchev", "event/presidium-session-1957-06", "vote/removal-vote-1957-06",
            "decision/plenum-resolution-1957-06-29")


CREATOR = "apg-kg contributors"


def release_date(ontology: Graph) -> str:
    """The date of this version: the ontology header's dcterms:modified, the one date the curators keep (a
    date from the sources, so the same sources still give the same bytes)."""
    found = ontology.value(URIRef(str(ONTOLOGY_IRI)), DCTERMS.modified)
    return str(found) if found is not None else "1970-01-01"


def data_stats(data: Graph, base: str) -> dict:
    """What the metadata graph says of the data graph: entities, distinct subjects and properties, the
    entities of each class, the identity links to each target. Computed once per graph (an incremental
    build keeps them while its change touches none of it: kg.incremental.same_stats)."""
    subjects = set(data.subjects())
    return {
        "entities": sum(1 for s in subjects if isinstance(s, URIRef) and str(s).startswith(f"{base}id/")),
        "subjects": len(subjects),
        "properties": len(set(data.predicates())),
        "classes": {cls: len(set(data.subjects(RDF.type, cls))) for cls in set(data.objects(None, RDF.type))},
        "links": {name: sum(1 for _, o in data.subject_objects(OWL.sameAs) if str(o).startswith(prefix))
                  for name, prefix in TARGETS.items()},
    }


def metadata_graph(iris: Iris, data: Graph, counts: dict[str, int], source_doc: URIRef,
                   modified: str | None = None, stats: dict | None = None) -> Graph:
    """The VoID/DCAT description of the build; ``stats``: data_stats(data), if the caller has them."""
    stats = data_stats(data, iris.base) if stats is None else stats
    g = Graph()
    ds = iris.dataset
    base = iris.base
    for t in (VOID.Dataset, DCAT.Dataset):
        g.add((ds, RDF.type, t))
    g.add((ds, DCTERMS.title, Literal("Anti-Party Group knowledge graph", lang="en")))
    g.add((ds, DCTERMS.title, Literal("Antipartijiskās grupas zināšanu grafs", lang="lv")))
    g.add((ds, DCTERMS.title, Literal("Граф знаний об антипартийной группе", lang="ru")))
    g.add((ds, RDFS.label, Literal("apg-kg", lang="en")))
    g.add((ds, DCTERMS.description, Literal(
        "The June 1957 attempt by Malenkov, Molotov, Kaganovich and others to remove Khrushchev, as stated "
        "by the Latvian Wikipedia article 'Antipartijiskā grupa', with statement-level provenance: the words "
        "of the sentence that state each statement.", lang="en")))
    g.add((ds, DCTERMS.license, LICENSE))
    g.add((ds, DCTERMS.source, source_doc))
    g.add((ds, DCTERMS.hasVersion, Literal(__version__)))
    g.add((ds, OWL.versionInfo, Literal(__version__)))
    g.add((ds, DCTERMS.creator, Literal(CREATOR)))
    if modified:
        g.add((ds, DCTERMS.modified, Literal(modified, datatype=XSD.date)))
    g.add((ds, VOID.uriSpace, Literal(f"{base}id/")))
    g.add((ds, VOID.sparqlEndpoint, URIRef(f"{base}sparql")))
    g.add((ds, VOID.rootResource, URIRef(f"{base}id/organization/anti-party-group")))
    for ex in EXAMPLES:
        g.add((ds, VOID.exampleResource, URIRef(f"{base}id/{ex}")))
    for ns in ("apg", "org", "prov", "opengov", "foaf", "schema", "skos", "dcterms"):
        g.add((ds, VOID.vocabulary, URIRef(PREFIXES[ns])))
    g.add((ds, VOID.vocabulary, URIRef(str(ONTOLOGY_IRI))))
    g.add((ds, VOID.triples, Literal(sum(counts.values()), datatype=XSD.integer)))
    g.add((ds, VOID.entities, Literal(stats["entities"], datatype=XSD.integer)))
    g.add((ds, VOID.distinctSubjects, Literal(stats["subjects"], datatype=XSD.integer)))
    g.add((ds, VOID.properties, Literal(stats["properties"], datatype=XSD.integer)))
    for cls in sorted(stats["classes"]):
        part = URIRef(f"{base}dataset/class/{_slug(cls)}")
        g.add((ds, VOID.classPartition, part))
        g.add((part, VOID["class"], cls))
        g.add((part, VOID.entities, Literal(stats["classes"][cls], datatype=XSD.integer)))
    for name, n in sorted(counts.items()):
        sub = iris.graph(name)
        g.add((ds, VOID.subset, sub))
        g.add((sub, RDF.type, VOID.Dataset))
        g.add((sub, RDFS.label, Literal(f"{name} graph", lang="en")))
        g.add((sub, VOID.triples, Literal(n, datatype=XSD.integer)))
    _linksets(g, ds, base, stats["links"])
    _distributions(g, ds, base)
    return g


def _slug(iri) -> str:
    text = str(iri)
    for prefix, ns in PREFIXES.items():
        if text.startswith(ns):
            return f"{prefix}-{text[len(ns):]}"
    return text.rsplit("/", 1)[-1].replace("#", "-")


def _linksets(g: Graph, ds: URIRef, base: str, links: dict) -> None:
    homepages = {"wikidata": "https://www.wikidata.org/", "dbpedia": "https://dbpedia.org/"}
    for name, prefix in TARGETS.items():
        homepage = homepages[name]
        n = links[name]
        ls = URIRef(f"{base}dataset/linkset/{name}")
        target = URIRef(f"{base}dataset/target/{name}")
        g.add((ds, VOID.subset, ls))
        g.add((ls, RDF.type, VOID.Linkset))
        g.add((ls, VOID.linkPredicate, OWL.sameAs))
        g.add((ls, VOID.subjectsTarget, ds))
        g.add((ls, VOID.objectsTarget, target))
        g.add((ls, VOID.triples, Literal(n, datatype=XSD.integer)))
        # the linkset as a file of its own (kg/linksets.py): a VoID data dump and a DCAT distribution
        dump = URIRef(f"{base}download/{linkset_file(name)}")
        g.add((ls, RDF.type, DCAT.Dataset))
        g.add((ls, DCTERMS.title, Literal(f"owl:sameAs links to {name.capitalize()}", lang="en")))
        g.add((ls, VOID.dataDump, dump))
        g.add((ls, DCAT.distribution, dump))
        _distribution(g, dump, f"links to {name.capitalize()} (N-Triples)", "application/n-triples")
        g.add((target, RDF.type, VOID.Dataset))
        g.add((target, VOID.uriSpace, Literal(prefix)))
        g.add((target, URIRef(FOAF + "homepage"), URIRef(homepage)))
        g.add((target, RDFS.label, Literal(name.capitalize(), lang="en")))


# the RDF 1.2 dumps (rdf:reifies with triple terms) beside the RDF 1.1 ones: (file stem, format extensions)
RDF12 = (("dataset-rdf12", ("trig", "nq")), ("provenance-rdf12", ("ttl", "nt")))


def _distribution(g: Graph, dist: URIRef, title: str, media_type: str) -> None:
    g.add((dist, RDF.type, DCAT.Distribution))
    g.add((dist, DCTERMS.title, Literal(title, lang="en")))
    g.add((dist, DCAT.downloadURL, dist))
    g.add((dist, DCAT.mediaType, URIRef(f"https://www.iana.org/assignments/media-types/{media_type}")))
    g.add((dist, DCTERMS.license, LICENSE))


def _distributions(g: Graph, ds: URIRef, base: str) -> None:
    # the Mix'n'match catalogue (kg/linksets.py): this dataset's entities for matching in Wikidata
    mixnmatch = URIRef(f"{base}download/{MIXNMATCH}")
    g.add((ds, DCAT.distribution, mixnmatch))
    _distribution(g, mixnmatch, "entities for Wikidata's Mix'n'match (TSV catalogue)",
                  "text/tab-separated-values")
    graphs = ("data", "ontology", "inferred", "metadata", "provenance")
    files = [(name, fmt) for fmt in FORMATS for name in (["dataset"] if fmt.dataset else graphs)]
    files += [(name, FORMAT_BY_EXTENSION[ext]) for name, exts in RDF12 for ext in exts]
    for name, fmt in files:
        for suffix, compress in (("", None), (".gz", "application/gzip")):
            file = f"{name}.{fmt.extension}{suffix}"
            dist = URIRef(f"{base}download/{file}")
            g.add((ds, DCAT.distribution, dist))
            g.add((dist, RDF.type, DCAT.Distribution))
            version = ", RDF 1.2" if name.endswith("-rdf12") else ""
            g.add((dist, DCTERMS.title,
                   Literal(f"{name} ({fmt.name}{version}{', gzip' if compress else ''})", lang="en")))
            g.add((dist, DCAT.downloadURL, dist))
            g.add((dist, DCAT.mediaType, URIRef(f"https://www.iana.org/assignments/media-types/{fmt.media_type}")))
            if compress:
                g.add((dist, DCAT.compressFormat, URIRef(f"https://www.iana.org/assignments/media-types/{compress}")))
            g.add((dist, DCTERMS.license, LICENSE))
            if name == "dataset":  # the RDF 1.1 dumps: what a VoID consumer can load
                g.add((ds, VOID.dataDump, dist))

"""OWL 2 DL checks for tests/test_dl.py, with the tools an ontologist would use.

- ``check``: per ontology file, the OWL API's OWL 2 DL profile checker (declarations, punning, reserved
  vocabulary) and HermiT (consistency, unsatisfiable classes, inferred class hierarchy), both from owlready2's
  HermiT.jar (HermiT, OWL API 3.4.3): ``tests/java/DLCheck.java``, run by the JRE's source launcher, one JVM.
- ``datatype_issues``: what the profile checker lets through: datatypes outside the OWL 2 datatype map.
- ``dl_view``: the data with its non-DL triples set aside (the data keep them; only this view drops them).

The OWL API reads the files from disk; nothing comes from the network.
"""
import os
import subprocess
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path

import owlready2
from rdflib import Graph, Literal, URIRef
from rdflib.namespace import OWL, RDF, RDFS, XSD

HERMIT_DIR = Path(owlready2.__file__).parent / "hermit"
CLASSPATH = os.pathsep.join([str(HERMIT_DIR), str(HERMIT_DIR / "HermiT.jar")])
CHECK_SOURCE = Path(__file__).parent / "java" / "DLCheck.java"
JAVA_TIMEOUT = 300  # a hung JVM fails the test instead of the session; not a performance bound

# OWL 2 Structural Specification, section 4 (the OWL 2 datatype map), and rdfs:Literal.
OWL2_DATATYPES = frozenset({
    OWL.real, OWL.rational, RDF.PlainLiteral, RDF.XMLLiteral, RDFS.Literal,
    *(XSD[n] for n in (
        "decimal", "integer", "nonNegativeInteger", "nonPositiveInteger", "positiveInteger",
        "negativeInteger", "long", "int", "short", "byte", "unsignedLong", "unsignedInt", "unsignedShort",
        "unsignedByte", "double", "float", "string", "normalizedString", "token", "language", "Name",
        "NCName", "NMTOKEN", "boolean", "hexBinary", "base64Binary", "anyURI", "dateTime", "dateTimeStamp")),
})
# IRIs in these namespaces are OWL 2's reserved vocabulary: no ontology may declare or mint terms there.
RESERVED = (str(RDF), str(RDFS), str(OWL), str(XSD))
# The reserved-vocabulary predicates that data may use in OWL 2 DL (built-in annotation properties, rdf:type,
# identity); rdf:value, for one, is not among them.
DATA_PREDICATES = frozenset({RDF.type, RDFS.label, RDFS.comment, RDFS.seeAlso, RDFS.isDefinedBy, OWL.sameAs,
                             OWL.differentFrom})


def _dl_datatype(dt: URIRef, graph: Graph) -> bool:
    if dt in OWL2_DATATYPES:
        return True
    return not str(dt).startswith(RESERVED) and (dt, RDF.type, RDFS.Datatype) in graph


def datatype_issues(graph: Graph) -> list[str]:
    """Literals and data-property ranges whose datatype is neither in the OWL 2 datatype map nor declared."""
    issues = []
    for s, p, o in graph:
        if isinstance(o, Literal) and o.datatype is not None and not _dl_datatype(o.datatype, graph):
            issues.append(f"{s} {p} {o.n3()}: datatype outside the OWL 2 datatype map")
    for p in graph.subjects(RDF.type, OWL.DatatypeProperty):
        for r in graph.objects(p, RDFS.range):
            if isinstance(r, URIRef) and not _dl_datatype(r, graph):
                issues.append(f"{p} rdfs:range {r}: datatype outside the OWL 2 datatype map")
    return sorted(issues)


def dl_view(data: Graph) -> tuple[Graph, list[tuple]]:
    """The data minus literals typed outside the OWL 2 datatype map and reserved-vocabulary predicates."""
    kept, set_aside = Graph(), []
    for s, p, o in data:
        bad_literal = isinstance(o, Literal) and o.datatype is not None and not _dl_datatype(o.datatype, data)
        if bad_literal or (str(p).startswith(RESERVED) and p not in DATA_PREDICATES):
            set_aside.append((s, p, o))
        else:
            kept.add((s, p, o))
    return kept, sorted(set_aside)


def write_rdfxml(path: Path, *graphs: Graph) -> Path:
    union = Graph()
    for g in graphs:
        for t in g:
            union.add(t)
    union.serialize(path, format="xml", encoding="utf-8")
    return path


@dataclass
class Report:
    counts: dict[str, int] = field(default_factory=dict)  # the signature as the OWL API read it
    violations: list[tuple[str, str]] = field(default_factory=list)  # (kind, OWL API message)
    hermit: str = ""  # "consistent", "inconsistent" or "error"
    hermit_error: str = ""
    unsatisfiable: set[str] = field(default_factory=set)
    direct: set[tuple[str, str]] = field(default_factory=set)  # (class, direct superclass), owl:Thing out

    @property
    def consistent(self) -> bool:
        return self.hermit == "consistent"

    def superclasses(self, cls: str) -> set[str]:
        """Every inferred superclass of ``cls``: the transitive closure of HermiT's direct ones."""
        found, todo = set(), [cls]
        while todo:
            current = todo.pop()
            for sub, sup in self.direct:
                if sub == current and sup not in found:
                    found.add(sup)
                    todo.append(sup)
        return found


def check(java: str, paths: Iterable[Path]) -> dict[Path, Report]:
    """The OWL 2 DL profile report and HermiT's results for each file."""
    paths = list(paths)
    run = subprocess.run([java, "-Xmx1g", "-cp", CLASSPATH, str(CHECK_SOURCE), *map(str, paths)],
                         capture_output=True, text=True, timeout=JAVA_TIMEOUT, stdin=subprocess.DEVNULL)
    if run.returncode != 0:
        raise RuntimeError(f"DLCheck failed ({run.returncode}):\n{run.stderr or run.stdout}")
    reports = {str(p): Report() for p in paths}
    for line in run.stdout.splitlines():
        kind, path, *rest = line.split("\t")
        report = reports[path]
        if kind == "file":
            report.counts = {k: int(v) for k, v in (f.split("=") for f in rest)}
        elif kind == "violation":
            report.violations.append((rest[0], rest[1]))
        elif kind == "hermit":
            report.hermit, report.hermit_error = rest[0], "".join(rest[1:])
        elif kind == "unsatisfiable":
            report.unsatisfiable.add(rest[0])
        elif kind == "subclass":
            report.direct.add((rest[0], rest[1]))
    return {p: reports[str(p)] for p in paths}

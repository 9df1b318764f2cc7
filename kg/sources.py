"""Source documents as resources: the article, each of its sentences, and its references.

The sentence file is ``ID<TAB>sentence`` per line; joining the sentences with single spaces gives the text
back.
"""
import csv
from dataclasses import dataclass, field
from pathlib import Path

import yaml
from rdflib import Graph, Literal, URIRef
from rdflib.namespace import DCTERMS, PROV, RDF, RDFS, XSD

from .iris import Iris
from .namespaces import APG, SCHEMA

SOURCE_DIR = Path(__file__).parent / "source"


@dataclass
class Source:
    key: str
    meta: dict
    sentences: dict = field(default_factory=dict)  # id -> text, in file order
    glosses: dict = field(default_factory=dict)  # language -> {id -> translation}

    @property
    def references(self) -> dict:
        return self.meta.get("references", {})

    def language(self, sid: str) -> str:
        """The language of a sentence's text: the source's, unless a reference says otherwise (r2 is
        Russian)."""
        return self.references.get(sid, {}).get("language", self.meta["language"])


def load_sources(source_dir: Path = SOURCE_DIR) -> dict[str, Source]:
    sources = {}
    for meta in yaml.safe_load((source_dir / "sources.yaml").read_text(encoding="utf-8")):
        src = Source(meta["id"], meta)
        with open(source_dir / meta["file"], encoding="utf-8", newline="") as fh:
            for row in csv.reader(fh, delimiter="\t", quoting=csv.QUOTE_NONE):
                if not row:
                    continue
                sid, text = row
                if sid in src.sentences:
                    raise ValueError(f"{meta['file']}: sentence ID {sid} appears twice")
                src.sentences[sid] = text
        for lang, name in meta.get("glosses", {}).items():
            src.glosses[lang] = _read_tsv(source_dir / name)
            unknown = sorted(set(src.glosses[lang]) - set(src.sentences))
            if unknown:
                raise ValueError(f"{name}: glosses of sentences that {meta['file']} does not have: {unknown}")
        sources[src.key] = src
    return sources


def _read_tsv(path: Path) -> dict[str, str]:
    out = {}
    with open(path, encoding="utf-8", newline="") as fh:
        for row in csv.reader(fh, delimiter="\t", quoting=csv.QUOTE_NONE):
            if row:
                sid, text = row
                if sid in out:
                    raise ValueError(f"{path.name}: sentence ID {sid} appears twice")
                out[sid] = text
    return out


def default_source(sources: dict[str, Source]) -> Source:
    return next(s for s in sources.values() if s.meta.get("default"))


def build_sources(graph: Graph, iris: Iris, sources: dict[str, Source]) -> None:
    """Add the article, a resource per sentence, and a bibliographic resource per reference."""
    for src in sources.values():
        meta = src.meta
        doc = iris.source(src.key)
        lang = meta["language"]
        graph.add((doc, RDF.type, SCHEMA.Article))
        graph.add((doc, RDF.type, DCTERMS.BibliographicResource))
        graph.add((doc, RDF.type, PROV.Entity))
        graph.add((doc, DCTERMS.title, Literal(meta["title"], lang=lang)))
        graph.add((doc, RDFS.label, Literal(meta["title"], lang=lang)))
        graph.add((doc, DCTERMS.language, Literal(lang, datatype=XSD.language)))
        graph.add((doc, DCTERMS.license, URIRef(meta["license"])))
        graph.add((doc, DCTERMS.creator, Literal(meta["creator"])))
        graph.add((doc, DCTERMS.publisher, Literal(meta["publisher"])))
        graph.add((doc, SCHEMA.url, Literal(meta["url"], datatype=XSD.anyURI)))
        graph.add((doc, PROV.hadPrimarySource, URIRef(meta["url"])))
        for position, (sid, text) in enumerate(src.sentences.items(), start=1):
            node = iris.source(src.key, sid)
            text_lang = src.language(sid)
            if sid in src.references:
                ref = src.references[sid]
                graph.add((node, RDF.type, DCTERMS.BibliographicResource))
                graph.add((node, DCTERMS.title, Literal(ref["title"], lang=ref.get("title_lang", "en"))))
                graph.add((node, DCTERMS.bibliographicCitation, Literal(text, lang=text_lang)))
                if "date" in ref:
                    graph.add((node, DCTERMS.date, Literal(str(ref["date"]), datatype=XSD.date)))
                graph.add((doc, DCTERMS.references, node))
            graph.add((node, RDF.type, APG.Sentence))
            graph.add((node, APG.sentenceId, Literal(sid)))
            graph.add((node, RDF.value, Literal(text, lang=text_lang)))
            graph.add((node, RDFS.label, Literal(f"{src.key} {sid}")))
            graph.add((node, APG.position, Literal(position, datatype=XSD.positiveInteger)))
            graph.add((node, DCTERMS.isPartOf, doc))
            for gloss_lang, glosses in sorted(src.glosses.items()):
                if sid in glosses:
                    graph.add((node, APG.gloss, Literal(glosses[sid], lang=gloss_lang)))

"""The project vocabulary as a closed namespace, and the reused vocabularies.

``APG`` is a ``DefinedNamespace`` with ``_fail = True``: a typo raises instead of minting a new IRI
(rdflib's own ``_DCAT.py`` does the same). ``tests/test_ontology.py`` checks it against ``ontology/apg.ttl``.
"""
from rdflib import Namespace, URIRef
from rdflib.namespace import DefinedNamespace

ONTOLOGY_IRI = URIRef("https://w3id.org/apg-kg/ontology")

# Popolo's RDF terms live here, not under popoloproject.com.
OPENGOV = Namespace("http://www.w3.org/ns/opengov#")
ORG = Namespace("http://www.w3.org/ns/org#")
SCHEMA = Namespace("http://schema.org/")
VANN = Namespace("http://purl.org/vocab/vann/")
WD = Namespace("http://www.wikidata.org/entity/")
DBR = Namespace("http://dbpedia.org/resource/")
VOID = Namespace("http://rdfs.org/ns/void#")
# The Web Annotation vocabulary: TextQuoteSelector and friends point at the words of a sentence.
OA = Namespace("http://www.w3.org/ns/oa#")


class APG(DefinedNamespace):
    """Terms minted by apg-kg; each is defined in ontology/apg.ttl."""

    _NS = Namespace("https://w3id.org/apg-kg/ontology#")
    _fail = True

    # classes
    PartyOrgan: URIRef
    StateBody: URIRef
    InformalGroup: URIRef
    PostHolding: URIRef
    Rank: URIRef
    Event: URIRef
    Session: URIRef
    Meeting: URIRef
    CrisisTalks: URIRef
    Visit: URIRef
    Unrest: URIRef
    Revolution: URIRef
    Publication: URIRef
    Preparation: URIRef
    Conspiracy: URIRef
    Attempt: URIRef
    Mobilisation: URIRef
    Delegation: URIRef
    Dismissal: URIRef
    VoteEvent: URIRef
    Decision: URIRef
    Resolution: URIRef
    Recommendation: URIRef
    Approval: URIRef
    Effect: URIRef
    SpeechAct: URIRef
    Accusation: URIRef
    Criticism: URIRef
    Proposal: URIRef
    Support: URIRef
    ChangeOfPosition: URIRef
    RefusalToRecant: URIRef
    Rejection: URIRef
    Objection: URIRef
    Demand: URIRef
    Declaration: URIRef
    Sentence: URIRef
    Claim: URIRef
    Correction: URIRef
    FactualCorrection: URIRef
    Normalisation: URIRef
    # object properties
    organ: URIRef
    chair: URIRef
    participant: URIRef
    speaker: URIRef
    target: URIRef
    topic: URIRef
    post: URIRef
    beganBy: URIRef
    endedBy: URIRef
    after: URIRef
    before: URIRef
    concurrentWith: URIRef
    appealsTo: URIRef
    adoptedAt: URIRef
    adoptedBy: URIRef
    addressedTo: URIRef
    resultingDecision: URIRef
    hasEffect: URIRef
    proposes: URIRef
    effectType: URIRef
    affects: URIRef
    fromOrganization: URIRef
    about: URIRef
    corrects: URIRef
    correctsStatement: URIRef
    evidence: URIRef
    evidenceWords: URIRef
    # datatype and annotation properties
    notBefore: URIRef
    notAfter: URIRef
    pretext: URIRef
    agenda: URIRef
    participantCount: URIRef
    successful: URIRef
    manner: URIRef
    timeDescription: URIRef
    sentenceId: URIRef
    position: URIRef
    sourceReading: URIRef
    gloss: URIRef
    sourceValue: URIRef
    correctedValue: URIRef
    normalisedText: URIRef
    # concept schemes and concepts
    ChangeScheme: URIRef
    Appointment: URIRef
    ForcedResignation: URIRef
    Removal: URIRef
    Relief: URIRef
    Expulsion: URIRef
    Deprivation: URIRef
    Loss: URIRef
    ByVote: URIRef
    RoleScheme: URIRef
    FullMember: URIRef
    CandidateMember: URIRef
    Member: URIRef
    CoreMember: URIRef
    EffectScheme: URIRef
    Condemnation: URIRef
    ExpulsionFrom: URIRef
    RemovalFromPost: URIRef
    AppointmentToPost: URIRef
    ResignationFromPost: URIRef
    PostAbolition: URIRef
    ApprovalOfProposals: URIRef


# The one prefix table of the project. PREFIXES: the graph's vocabularies, bound in every dump and document,
# predefined for every query (the endpoint's, the pages', ``apg query``'s), listed by the service description
# and the query page. NAMESPACES adds the vocabularies of the server's descriptions of itself (the service
# description, the Triple Pattern Fragments controls): bound where those are written, not predefined for
# queries. Every other table of prefixes in the code is a selection of names from these two.
PREFIXES = {
    "apg": str(APG._NS),
    "dcat": "http://www.w3.org/ns/dcat#",
    "dcterms": "http://purl.org/dc/terms/",
    "foaf": "http://xmlns.com/foaf/0.1/",
    "oa": str(OA),
    "opengov": str(OPENGOV),
    "org": str(ORG),
    "owl": "http://www.w3.org/2002/07/owl#",
    "prov": "http://www.w3.org/ns/prov#",
    "rdf": "http://www.w3.org/1999/02/22-rdf-syntax-ns#",
    "rdfs": "http://www.w3.org/2000/01/rdf-schema#",
    "schema": str(SCHEMA),
    "skos": "http://www.w3.org/2004/02/skos/core#",
    "vann": str(VANN),
    "void": str(VOID),
    "xsd": "http://www.w3.org/2001/XMLSchema#",
    "wd": str(WD),
    "dbr": str(DBR),
}
NAMESPACES = {
    **PREFIXES,
    "sd": "http://www.w3.org/ns/sparql-service-description#",
    "fmt": "http://www.w3.org/ns/formats/",
    "ent": "http://www.w3.org/ns/entailment/",
    "sh": "http://www.w3.org/ns/shacl#",
    "hydra": "http://www.w3.org/ns/hydra/core#",
}

"""apg-kg: a linked-data knowledge graph of the 1957 Anti-Party Group.

Data flows one way: curated facts (``kg/facts/*.yaml``) → builders → rdflib graph → SHACL and OWL 2 RL checks
→ ``dist/`` (dumps, checksums, reports) → the server.
"""
from importlib.metadata import PackageNotFoundError, version

try:
    __version__ = version("apg-kg")
except PackageNotFoundError:  # running from a source tree that is not installed
    __version__ = "0.0.0"

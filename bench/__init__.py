"""Throughput/latency benchmark of the apg SPARQL server against Oxigraph server and rdflib-endpoint.

Run it with ``make bench`` or ``python -m bench.run --help``; see bench/README.md.
"""

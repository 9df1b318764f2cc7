"""The OWL ontology (apg.ttl), shipped inside the package as kg.ontology; see kg/resources.py."""

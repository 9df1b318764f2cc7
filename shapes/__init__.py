"""The SHACL shapes (*.ttl), shipped inside the package as kg.shapes; see kg/resources.py."""

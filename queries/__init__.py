"""The competency queries (*.rq and their *.expected.json), shipped as kg.queries; see kg/resources.py."""

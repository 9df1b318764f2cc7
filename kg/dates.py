"""Dates that keep the precision the source gives them.

A fact file writes ``1957-06-29`` (a day), ``1955-02`` (a month) or ``1958`` (a year). The graph keeps that as
``xsd:date`` / ``xsd:gYearMonth`` / ``xsd:gYear`` and derives ``xsd:date`` bounds (first and last possible
day), because typed literals of different precision cannot be compared with each other in SPARQL.
"""
import calendar
import datetime as dt
import re
from dataclasses import dataclass

from rdflib import Literal
from rdflib.namespace import XSD

_PATTERNS = (
    (re.compile(r"^\d{4}-\d{2}-\d{2}$"), XSD.date),
    (re.compile(r"^\d{4}-\d{2}$"), XSD.gYearMonth),
    (re.compile(r"^\d{4}$"), XSD.gYear),
)


@dataclass(frozen=True)
class FuzzyDate:
    text: str
    datatype: object
    first: dt.date
    last: dt.date

    @property
    def literal(self) -> Literal:
        return Literal(self.text, datatype=self.datatype)


def parse(value) -> FuzzyDate:
    """Parse a fact-file date; raise ValueError on anything else."""
    text = str(value)
    datatype = next((kind for pattern, kind in _PATTERNS if pattern.match(text)), None)
    if datatype is None:
        raise ValueError(f"not a date of known precision (YYYY, YYYY-MM or YYYY-MM-DD): {text!r}")
    parts = [int(p) for p in text.split("-")]
    year = parts[0]
    if len(parts) == 3:
        first = last = dt.date(*parts)
    elif len(parts) == 2:
        first = dt.date(year, parts[1], 1)
        last = dt.date(year, parts[1], calendar.monthrange(year, parts[1])[1])
    else:
        first, last = dt.date(year, 1, 1), dt.date(year, 12, 31)
    return FuzzyDate(text, datatype, first, last)


def date_literal(day: dt.date) -> Literal:
    return Literal(day.isoformat(), datatype=XSD.date)

"""A SPARQL answer in the shape of the expected files of queries/ (tests/test_queries.py): a list of rows,
each mapping a variable to the lexical value of its binding (unbound variables left out), or a boolean for
ASK."""
import pyoxigraph as ox

from server.store import OxigraphStore


def answer(store: OxigraphStore, text: str):
    """Run a query and return its answer in the expected-file shape."""
    result = store.query(text)
    if isinstance(result, ox.QueryBoolean):
        return bool(result)
    names = [v.value for v in result.variables]
    rows = []
    for solution in result:
        row = {}
        for name in names:
            term = solution[name]
            if term is not None:
                row[name] = term.value
        rows.append(row)
    return rows

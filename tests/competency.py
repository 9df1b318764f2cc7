"""Helpers for tests that run competency queries (a plain module, not a test file: tests import it, never each
other)."""
import pyoxigraph as ox


def answer(store, text: str):
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

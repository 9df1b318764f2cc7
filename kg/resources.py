"""Where the project's own files are: the ontology, the SHACL shapes, the competency queries and the templates
ship inside the package and are found through ``importlib.resources``, so an installed wheel works anywhere.

In the checkout they stay the top-level folders ``ontology/``, ``shapes/`` and ``queries/``; pyproject.toml
maps them into the package as ``kg.ontology``, ``kg.shapes`` and ``kg.queries`` (setuptools ``package-dir``),
so a wheel carries them and an editable install finds them in place. Templates are package data of ``kg`` and
``server``.

The one thing that depends on where the code runs is the default build directory: the checkout's ``dist/``
when the code is the checkout's (``make``, an editable install), else ``dist/`` in the current directory.
"""
from importlib.resources import files
from pathlib import Path

_CHECKOUT = Path(__file__).resolve().parent.parent


def _folder(package: str) -> Path:
    folder = files(package)
    if not isinstance(folder, Path):  # pip installs wheels unpacked; a zipped package would need as_file()
        raise RuntimeError(f"the resources of {package} are not files on disk ({folder!r})")
    return folder


def ontology_file() -> Path:
    return _folder("kg.ontology") / "apg.ttl"


def shapes_dir() -> Path:
    return _folder("kg.shapes")


def queries_dir() -> Path:
    return _folder("kg.queries")


def templates_dir(package: str) -> Path:
    """The Jinja2 templates of ``package`` (``kg`` or ``server.site``)."""
    return _folder(package) / "templates"


def translations_dir() -> Path:
    """The gettext catalogues of the interface words (kg/translations/{lang}/LC_MESSAGES/messages.po)."""
    return _folder("kg") / "translations"


def checkout() -> Path | None:
    """The source checkout this code runs from, or None when it runs from an installed wheel."""
    if (_CHECKOUT / "pyproject.toml").is_file() and (_CHECKOUT / "ontology" / "apg.ttl").is_file():
        return _CHECKOUT
    return None


def default_dist() -> Path:
    """Where ``apg build`` writes and ``apg serve`` / ``apg query`` read by default."""
    root = checkout()
    return root / "dist" if root else Path("dist")

"""Installable as a package: the wheel carries the ontology, shapes, competency queries and templates, and an
install of it, used outside the checkout, gives a working ``apg build`` and ``apg serve``.

Offline: the wheel is built with this venv's setuptools (``pip wheel --no-build-isolation``) from a copy of
the sources, installed with ``--no-deps --no-index`` into a fresh venv, whose dependencies come from this
venv's site-packages through a ``.pth`` line (a path added that way has its own ``.pth`` files ignored, so the
editable install of the checkout stays out of it). Everything then runs in a temporary directory.
"""
import hashlib
import shutil
import subprocess
import sys
import sysconfig
import zipfile
from pathlib import Path

import pytest
import requests
from liveserver import clean_env, start, stop

pytestmark = pytest.mark.slow

ROOT = Path(__file__).resolve().parent.parent
SOURCES = ("pyproject.toml", "README.md", "kg", "server", "ontology", "shapes", "queries")


def _run(argv, **kwargs) -> subprocess.CompletedProcess:
    done = subprocess.run(argv, capture_output=True, text=True, stdin=subprocess.DEVNULL, timeout=300,
                          **kwargs)
    assert done.returncode == 0, f"{argv}\n{done.stdout[-3000:]}\n{done.stderr[-3000:]}"
    return done


@pytest.fixture(scope="module")
def wheel(tmp_path_factory) -> Path:
    tmp = tmp_path_factory.mktemp("wheel")
    src = tmp / "src"
    src.mkdir()
    for name in SOURCES:  # a copy: building in place would leave build/ and *.egg-info in the checkout
        if (ROOT / name).is_dir():
            shutil.copytree(ROOT / name, src / name, ignore=shutil.ignore_patterns("__pycache__"))
        else:
            shutil.copy2(ROOT / name, src / name)
    _run([sys.executable, "-m", "pip", "wheel", "--no-deps", "--no-build-isolation", "--no-index", "-q",
          "-w", str(tmp / "dist"), str(src)])
    (found,) = (tmp / "dist").glob("apg_kg-*.whl")
    return found


@pytest.fixture(scope="module")
def venv(wheel, tmp_path_factory) -> Path:
    """A fresh venv with only the wheel installed; dependencies seen through this venv's site-packages."""
    env_dir = tmp_path_factory.mktemp("venv")
    _run([sys.executable, "-m", "venv", "--without-pip", str(env_dir)])
    python = env_dir / "bin" / "python"
    _run([sys.executable, "-m", "pip", "--python", str(python), "install", "-q", "--no-deps", "--no-index",
          str(wheel)])
    purelib = _run([str(python), "-c", "import sysconfig; print(sysconfig.get_paths()['purelib'])"]).stdout
    (Path(purelib.strip()) / "apg-test-dependencies.pth").write_text(sysconfig.get_paths()["purelib"] + "\n")
    return env_dir


def test_the_wheel_carries_the_resources(wheel):
    names = set(zipfile.ZipFile(wheel).namelist())
    for folder, package in (("ontology", "kg/ontology"), ("shapes", "kg/shapes"), ("queries", "kg/queries"),
                            ("server/site/queries", "server/site/queries")):
        files = {p.name for p in (ROOT / folder).iterdir() if p.suffix in (".ttl", ".rq", ".json")}
        assert files and {f"{package}/{name}" for name in files} <= names, folder
    assert "kg/templates/ontology.html" in names and "server/site/templates/landing.html" in names
    assert "kg/source/antipartijiska-grupa.lv.tsv" in names and "kg/facts/persons.yaml" in names
    assert {f"kg/translations/{lang}/LC_MESSAGES/messages.po" for lang in ("en", "lv", "ru")} <= names


def test_installed_apg_builds_and_serves_outside_the_checkout(venv, dist, tmp_path):
    bin_dir = venv / "bin"
    env = clean_env()
    env.pop("PYTHONPATH", None)
    code = "import kg, server; print(kg.__file__); print(server.__file__)"
    where = _run([str(bin_dir / "python"), "-c", code], cwd=tmp_path, env=env).stdout.split()
    assert all(Path(p).is_relative_to(venv) for p in where), where  # the wheel's code, not the checkout's

    _run([str(bin_dir / "apg"), "build"], cwd=tmp_path, env=env)  # default: ./dist
    built = tmp_path / "dist"
    assert (built / "manifest.json").is_file()
    # the same sources give the same bytes, whether installed or in the checkout
    sha = lambda path: hashlib.sha256(path.read_bytes()).hexdigest()  # noqa: E731
    for name in ("dataset.nq", "ontology.ttl", "shacl-report.ttl", "ontology.html"):
        assert sha(built / name) == sha(dist / name), name

    srv = start(None, tmp_path / "serve.log", args=["--workers", "1"], env=env, command=str(bin_dir / "apg"),
                cwd=tmp_path)  # no --dist: ./dist
    try:
        assert requests.get(srv.url + "/healthz", timeout=30).text.startswith("ok")
        query = "SELECT (COUNT(*) AS ?n) WHERE { ?p a <http://xmlns.com/foaf/0.1/Person> }"
        answer = requests.get(srv.endpoint, params={"query": query},
                              headers={"Accept": "application/sparql-results+json"}, timeout=30)
        assert answer.status_code == 200, answer.text
        assert answer.json()["results"]["bindings"][0]["n"]["value"] == "17"
        # the competency queries (kg.queries) and the server's templates came with the wheel
        page = requests.get(srv.endpoint, headers={"Accept": "text/html"}, timeout=30)
        first_question = (ROOT / "queries" / "01-core-members.rq").read_text(encoding="utf-8").splitlines()[0]
        assert page.status_code == 200 and first_question.lstrip("# ").strip() in page.text
        # the interface words' catalogues (kg/translations) came with it: a Russian page is Russian
        landing = requests.get(srv.url + "/?lang=ru", headers={"Accept": "text/html"}, timeout=30)
        assert landing.status_code == 200 and "Граф знаний об антипартийной группе" in landing.text
    finally:
        stop(srv)
    assert "Traceback" not in srv.log_text()

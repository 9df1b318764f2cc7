"""Virtuoso Open Source (Debian's ``virtuoso-opensource-7``: ``virtuoso-t``) as an engine behind apg: its
configuration and the command that starts it, one hardened set-up for every place that runs it (the tests'
fixtures, tests/engines.py, and the scale bench, bench/scale.py).

Hardened: it listens on loopback only (an HTTP and a SQL port, no Unix socket); it reaches nobody (the command
runs it under ``python -m server.engines.noroute``, a network namespace whose only interface is its own
loopback, since Virtuoso connects to itself at start-up); no federation or outbound fetches that could be
tried anyway (``HTTPProxyEnabled = 0``, ``AllowOSCalls = 0``: no ``system()`` from SQL); its bulk loader
reads only the directories named (``DirsAllowed``); a query's memory is capped (``MaxQueryMem``). Result rows
are not capped below the front end's answer size (``ResultSetMaxRows``): a capped answer would be silently
incomplete; the time limit is the front end's (``MaxQueryExecutionTime = 0``).

Only the buffer pool is sized by the caller: ``NumberOfBuffers`` pages of 8 KiB, allocated at start (the
tests' small default; the bench gives it room for 10M triples).
"""
import shutil
import sys
from pathlib import Path

BINARY = shutil.which("virtuoso-t")
VAD = "/usr/share/virtuoso-opensource-7/vad"
VSP = "/var/lib/virtuoso-opensource-7/vsp"

INI = """[Database]
DatabaseFile = {dir}/virtuoso.db
ErrorLogFile = {dir}/virtuoso.log
LockFile = {dir}/virtuoso.lck
TransactionFile = {dir}/virtuoso.trx
xa_persistent_file = {dir}/virtuoso.pxa
ErrorLogLevel = 7
FileExtend = 200
Striping = 0
TempStorage = TempDatabase
[TempDatabase]
DatabaseFile = {dir}/virtuoso-temp.db
TransactionFile = {dir}/virtuoso-temp.trx
[Parameters]
ServerPort = {host}:{sql}
DisableUnixSocket = 1
DirsAllowed = ., {dirs}, {vad}
AllowOSCalls = 0
CaseMode = 2
NumberOfBuffers = {buffers}
MaxDirtyBuffers = {dirty}
ThreadsPerQuery = 2
MaxQueryMem = 256M
[HTTPServer]
ServerPort = {host}:{http}
ServerRoot = {vsp}
ServerThreads = 10
MaxClientConnections = 10
MaxKeepAlives = 10
KeepAliveTimeout = 10
EnabledGzipContent = 0
HTTPProxyEnabled = 0
[SPARQL]
ResultSetMaxRows = 100000000
MaxQueryCostEstimationTime = 0
MaxQueryExecutionTime = 0
"""


def command(workdir: Path, host: str, http: int, sql: int, readable: list[Path], *,
            buffers: int = 10_000) -> list[str]:
    """Write ``workdir/virtuoso.ini`` (a fresh database in ``workdir``; ``readable``: the directories its
    bulk loader may read) and return the command that runs Virtuoso on ``host``:``http`` and ``host``:``sql``
    with no route out. Its own log: ``workdir/virtuoso.log``."""
    workdir.mkdir(parents=True, exist_ok=True)
    ini = workdir / "virtuoso.ini"
    ini.write_text(INI.format(dir=workdir, host=host, sql=sql, http=http, vad=VAD, vsp=VSP, buffers=buffers,
                              dirty=buffers * 3 // 5,
                              dirs=", ".join(str(Path(d).resolve()) for d in readable)))
    return [sys.executable, "-m", "server.engines.noroute", "--port", f"{host}:{http}", "--port",
            f"{host}:{sql}", "--", BINARY, "+foreground", "+configfile", str(ini)]

"""Databases built once per run and shared by pytest-xdist's workers.

Migrating Wagtail's schema takes about 15 seconds and the sandbox's demo about 25,
which on two cores is a good part of the suite's time if every worker does it. So when
the suite runs on workers (``make test`` passes ``-n``), the controller starts two
builders as soon as it is configured, before the workers have collected:

- the suite's test database, made by Django's own ``create_test_db`` (the same
  migrations a worker would run). On SQLite each worker copies it into its in-memory
  test database; on PostgreSQL each worker's database is created from it as a template.
- the sandbox's demo database (``tests/sandbox_site.py``), which the sandbox and
  browser tests copy.

Each worker waits for a builder only when its first test needs what it builds. A
single-process run (no ``-n``) builds nothing ahead: pytest-django and the
``demo_database`` fixture do their usual work.

``python -m tests.parallel suite-db DIR`` and ``python -m tests.parallel sandbox
DIR`` are the builders; each writes DIR/NAME.done, or DIR/NAME.failed with the error.
"""

import os
import shutil
import sqlite3
import subprocess
import sys
import tempfile
import time
import traceback
from contextlib import closing
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
WORKERINPUT_KEY = "mediawire_shared_builds"
# Far more than a builder takes on a busy machine; a hung one fails the run, clearly.
WAIT_SECONDS = 600


def is_sqlite() -> bool:
    from django.conf import settings

    return settings.DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3"


def _suite_db_name(directory: Path) -> str:
    """Where the suite's template database goes: a file on SQLite, else a database
    named after the configured one (PostgreSQL: ``test_<NAME>_template``)."""
    from django.conf import settings

    if is_sqlite():
        return str(directory / "suite-template.sqlite3")
    return f"test_{settings.DATABASES['default']['NAME']}_template"


def _build(kind: str, directory: Path) -> None:
    """Run in a builder process: build ``kind`` in ``directory`` and say how it went."""
    try:
        if kind == "suite-db":
            import django
            from django.db import connection

            django.setup()
            name = _suite_db_name(directory)
            if is_sqlite():
                # Migrated in memory, as Django makes a test database, then saved: a
                # third faster than migrating a file.
                connection.creation.create_test_db(verbosity=0, serialize=False)
                with closing(sqlite3.connect(name)) as saved:
                    connection.connection.backup(saved)
            else:
                connection.settings_dict.setdefault("TEST", {})["NAME"] = name
                connection.creation.create_test_db(verbosity=0, autoclobber=True, serialize=False)
            connection.close()
        else:
            from tests.sandbox_site import build_demo_database

            build_demo_database(directory, seed=_sandbox_seed(directory))
    except BaseException:
        (directory / f"{kind}.failed").write_text(traceback.format_exc())
        raise
    (directory / f"{kind}.done").touch()


def _sandbox_seed(directory: Path) -> Path | None:
    """The suite's SQLite database, once built, for the sandbox to start from: the two
    share every migration but the sandbox's demo app, so this saves migrating Wagtail a
    second time (15 of the 25 seconds). Only with the suite's own settings on SQLite;
    otherwise (the PostgreSQL run) the sandbox migrates a new database, so that CI
    migrates it from nothing too."""
    if os.environ.get("DJANGO_SETTINGS_MODULE") != "tests.settings":
        return None
    if not (os.environ.get("DATABASE_URL") or "sqlite://").startswith("sqlite"):
        return None
    if _wait(directory, "suite-db") is not None:
        return None  # migrate a new database instead; the suite's failure is reported
    return directory / "suite-template.sqlite3"


def _wait(directory: Path, kind: str) -> str | None:
    """Wait until the builder of ``kind`` is done: None, or why it is not."""
    deadline = time.monotonic() + WAIT_SECONDS
    while not (directory / f"{kind}.done").exists():
        failed = directory / f"{kind}.failed"
        if failed.exists():
            return f"building the shared {kind} failed:\n{failed.read_text()}"
        if time.monotonic() > deadline:
            log = directory / f"{kind}.log"
            return f"the shared {kind} was not built in time:\n{log.read_text()}"
        time.sleep(0.1)
    return None


# --- the controller ---------------------------------------------------------------


class SharedBuilds:
    """The builders the controller started, and the directory they write to."""

    def __init__(self, config: pytest.Config) -> None:
        self.directory = Path(tempfile.mkdtemp(prefix="mediawire-shared-"))
        self.processes: list[subprocess.Popen] = []
        kinds = ["suite-db"]
        if _may_need_the_sandbox(config):
            kinds.append("sandbox")
        # pytest's ``pythonpath`` makes ``tests`` importable here; the builders need it too.
        paths = [str(ROOT), os.environ.get("PYTHONPATH", "")]
        env = {**os.environ, "PYTHONPATH": os.pathsep.join(filter(None, paths))}
        for kind in kinds:
            log = (self.directory / f"{kind}.log").open("wb")
            self.processes.append(
                subprocess.Popen(
                    [sys.executable, "-m", "tests.parallel", kind, str(self.directory)],
                    cwd=ROOT,
                    env=env,
                    stdout=log,
                    stderr=subprocess.STDOUT,
                )
            )

    def close(self) -> None:
        for process in self.processes:
            if process.poll() is None:
                process.terminate()
            process.wait(timeout=30)
        shutil.rmtree(self.directory, ignore_errors=True)


def _may_need_the_sandbox(config: pytest.Config) -> bool:
    """Whether the run's paths include the sandbox's or the browser suite's tests."""
    for arg in config.args:
        path = Path(arg.split("::")[0]).resolve()
        tests = ROOT / "tests"
        if path in (ROOT, tests, tests / "browser") or path.name in (
            "test_sandbox.py",
            "test_reader_pages.py",
            "test_sandbox_pages.py",
        ):
            return True
    return False


def runs_on_workers(config: pytest.Config) -> bool:
    """True in the controller of a run with pytest-xdist's workers."""
    return (
        not hasattr(config, "workerinput")
        and config.pluginmanager.hasplugin("xdist")
        and bool(config.getoption("numprocesses", None))
        and not config.getoption("collectonly", False)
    )


# --- the workers ------------------------------------------------------------------


def shared_directory(config: pytest.Config) -> Path | None:
    """The controller's build directory, in a worker of a run that has one."""
    directory = getattr(config, "workerinput", {}).get(WORKERINPUT_KEY)
    return Path(directory) if directory else None


def builds(directory: Path, kind: str) -> bool:
    """Whether the controller started a builder of ``kind``."""
    return (directory / f"{kind}.log").exists()


def wait_for(directory: Path, kind: str) -> None:
    """Wait until the shared ``kind`` is built; fail the test with why it was not."""
    error = _wait(directory, kind)
    if error is not None:
        pytest.fail(error, False)


def use_shared_suite_db(directory: Path) -> None:
    """Start this worker's test database from the shared one: on SQLite, Django's usual
    in-memory database, filled with a copy of it before ``migrate`` finds nothing to do;
    on PostgreSQL, a database created with it as the template."""
    from django.conf import settings
    from django.db import connection

    wait_for(directory, "suite-db")
    template = _suite_db_name(directory)
    if not is_sqlite():
        settings.DATABASES["default"].setdefault("TEST", {})["TEMPLATE"] = template
        return
    creation = connection.creation
    create = creation._create_test_db

    def create_from_template(*args, **kwargs):
        name = create(*args, **kwargs)
        # An in-memory database lives while a connection to it is open: this one is
        # kept for the session, as Django keeps its own.
        memory = sqlite3.connect(name, uri=True, check_same_thread=False)
        with closing(sqlite3.connect(template)) as source:
            source.backup(memory)
        _OPEN.append(memory)
        return name

    creation._create_test_db = create_from_template


_OPEN: list[sqlite3.Connection] = []


if __name__ == "__main__":
    _build(sys.argv[1], Path(sys.argv[2]))

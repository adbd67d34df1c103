"""The suite's pytest plugin: which tests run, in what order, and on what database.

Registered by tests/conftest.py (``pytest_plugins``), which keeps only fixtures.

- Markers: every test of tests/browser is marked ``browser``. Tests marked
  ``postgres`` or ``sqlite`` are deselected (not skipped) on the other database, and
  those marked ``tutorial`` unless ``-m`` names it.
- Under ``CI=true`` a skip is a failure: a missing server or browser must not pass
  silently.
- The run order suits pytest-xdist's workers: first the tests without a database,
  then those in a transaction with the sandbox's among them, last those that flush it.
- Under pytest-xdist (``make test``), the controller builds the suite's database and
  the sandbox's once and the workers copy them: the hooks here start the builders and
  hand their directory to the workers; tests/parallel.py does the work.
"""

import os

import pytest

from tests import parallel

BROWSER_TESTS = os.path.join(os.path.dirname(__file__), "browser", "")


# --- which tests run, and in what order ---------------------------------------------


def pytest_collection_modifyitems(config, items):
    # Every test of tests/browser is marked, so that "-m browser" selects them and
    # "-m 'not browser'" (tox, without the dev extra's Playwright) leaves them out.
    for item in items:
        if str(item.path).startswith(BROWSER_TESTS):
            item.add_marker(pytest.mark.browser)
    # Deselected, not skipped, on the other database: `.ci/run` runs both.
    on_postgres = os.environ.get("DATABASE_URL", "").startswith(("postgres://", "postgresql://"))
    other_database = [
        item for item in items if item.get_closest_marker("sqlite" if on_postgres else "postgres")
    ]
    if other_database:
        config.hook.pytest_deselected(items=other_database)
        items[:] = [item for item in items if item not in other_database]
    # The executed tutorial (a new site in a new virtualenv) runs only when "-m" names it:
    # `make test-tutorial`, its own step in `.ci/run`, so that CI runs it once.
    if "tutorial" not in (config.option.markexpr or ""):
        tutorial = [item for item in items if item.get_closest_marker("tutorial")]
        if tutorial:
            config.hook.pytest_deselected(items=tutorial)
            items[:] = [item for item in items if item not in tutorial]
    # The order suits workers (make test): first what needs no database, while the shared
    # ones are built (tests/parallel.py); then the tests in a transaction, then those
    # that flush it (a transactional test leaves an empty database behind it). The tests
    # that serve the sandbox use no suite database: they wait for theirs to be built and
    # then run beside the others, whose work fills the time they spend waiting on
    # servers and browsers.
    order = {item.nodeid: _run_order(item) for item in items}
    items.sort(key=lambda item: order[item.nodeid])
    sandbox = [item for item in items if order[item.nodeid] == SANDBOX]
    others = [item for item in items if order[item.nodeid] != SANDBOX]
    first = next((n for n, item in enumerate(others) if order[item.nodeid] == IN_TRANSACTION), 0)
    at = min(len(others), first + SANDBOX_AFTER)
    items[:] = others[:at] + sandbox + others[at:]
    # Under CI=true a skip is a failure: a missing server or browser must not pass silently.
    if os.environ.get("CI") == "true":
        config.pluginmanager.register(_FailOnSkip(), "mediawire-fail-on-skip")


NO_DATABASE, IN_TRANSACTION, FLUSHES, SANDBOX = range(4)
# How many tests in a transaction run before the sandbox's: about as long as its
# database takes to build once the suite's is ready.
SANDBOX_AFTER = 60


def _run_order(item) -> int:
    from django.test import TestCase, TransactionTestCase

    fixtures = set(getattr(item, "fixturenames", ()))
    marker = item.get_closest_marker("django_db")
    case = getattr(item, "cls", None)
    if "demo_database" in fixtures:
        return SANDBOX
    if "transactional_db" in fixtures or (marker and marker.kwargs.get("transaction")):
        return FLUSHES
    if case and issubclass(case, TransactionTestCase):
        return IN_TRANSACTION if issubclass(case, TestCase) else FLUSHES
    return IN_TRANSACTION if marker or "db" in fixtures else NO_DATABASE


class _FailOnSkip:
    @pytest.hookimpl(hookwrapper=True)
    def pytest_runtest_makereport(self, item, call):
        outcome = yield
        report = outcome.get_result()
        if report.skipped and not hasattr(report, "wasxfail"):
            report.outcome = "failed"
            report.longrepr = f"skipped under CI=true: {report.longrepr}"


# --- the databases the workers share (tests/parallel.py) ---------------------------


def pytest_configure(config):
    if parallel.runs_on_workers(config):
        config._mediawire_shared_builds = parallel.SharedBuilds(config)
    elif parallel.shared_directory(config) is not None:
        # A worker: the builders come first, since every worker waits for the suite's
        # database; on two cores they finish in half the time.
        os.nice(10)


def pytest_unconfigure(config):
    builds = getattr(config, "_mediawire_shared_builds", None)
    if builds is not None:
        builds.close()


@pytest.hookimpl(optionalhook=True)
def pytest_configure_node(node):
    builds = getattr(node.config, "_mediawire_shared_builds", None)
    if builds is not None:
        node.workerinput[parallel.WORKERINPUT_KEY] = str(builds.directory)


@pytest.fixture(scope="session")
def django_db_modify_db_settings(request, django_db_modify_db_settings_parallel_suffix):
    shared = parallel.shared_directory(request.config)
    if shared is not None:
        parallel.use_shared_suite_db(shared)

"""`make load`: the sandbox under load on gunicorn, PostgreSQL and Redis, while it changes.

    scripts/with-postgres .venv/bin/python benchmarks/load.py [--seconds 30] [--connections 4]
    .venv/bin/python benchmarks/load.py --sqlite      # the same on an SQLite file

Starts a Redis server and gunicorn (2 workers, the sandbox's production settings) on
127.0.0.1, loads the demo, then drives wrk for ``--seconds`` at a fixed concurrency
against a plain Wagtail page (the baseline), the home page, a section page and an
article page, one after the other. Meanwhile another process publishes a new article
every two seconds and unpublishes the one before, and a checker keeps reading the home,
section and article pages on new connections, noting which worker answered.

Then the push path (``POST /wire/push/<feed_id>/``): a push feed of its own section
takes ``--documents`` small signed RSS documents, one item each. Each is delivered once
before the load (the first round, which imports and publishes its article, timed one by
one), so that the measured phases are the agency's retries: wrk POSTs the same signed
documents in turn, first alone, then at the same time as a second wrk reads the article
page, for ``--seconds`` each.

Prints requests per second, p50 and p99 of each page beside the baseline, the push
deliveries accepted (202) per second with their p50 and p99, the non-2xx answers (which
must be 0), and, per worker, how many checked responses missed a change more than one
second old (which must be 0) and the longest a change took to show. Writes the figures
to docs/load-<database>.json and docs/explanation/load-results.md (the latest run on
each database, beside the figures in benchmarks/before/). Exits non-zero when a
non-2xx answer or a late change was seen, or when a redelivery imported anything.
Everything it starts is stopped, also on failure or Ctrl-C.
"""

import argparse
import http.client
import json
import os
import re
import shutil
import socket
import subprocess
import sys
import tempfile
import threading
import time
from contextlib import ExitStack, contextmanager
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
BIN = Path(sys.executable).parent
CHURN_NUMBER = re.compile(rb"Load churn report (\d+)")
FRESHNESS_LIMIT = 1.0  # seconds


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def wait_for_port(port: int, process: subprocess.Popen, what: str, timeout: float = 30) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise SystemExit(f"load: {what} exited with {process.returncode}")
        try:
            socket.create_connection(("127.0.0.1", port), timeout=1).close()
            return
        except OSError:
            time.sleep(0.1)
    raise SystemExit(f"load: {what} did not listen on port {port} within {timeout:.0f} s")


@contextmanager
def running(args: list[str], **kwargs):
    """A child process, terminated (then killed) when the block ends, however it ends."""
    process = subprocess.Popen(args, **kwargs)
    try:
        yield process
    finally:
        if process.poll() is None:
            process.terminate()
            try:
                process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait()


def post(port: int, path: str, body: bytes, headers: dict) -> tuple[int, bytes]:
    """One POST on a new connection."""
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
    try:
        connection.request("POST", path, body=body, headers={**headers, "Connection": "close"})
        response = connection.getresponse()
        return response.status, response.read()
    finally:
        connection.close()


def get(port: int, path: str) -> tuple[int, dict, bytes]:
    """One GET on a new connection, so that gunicorn may hand it to either worker."""
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
    try:
        connection.request("GET", path, headers={"Connection": "close"})
        response = connection.getresponse()
        return response.status, dict(response.getheaders()), response.read()
    finally:
        connection.close()


class Checker(threading.Thread):
    """Reads pages in a loop and notes, per response, its worker and the churned
    articles it lists."""

    def __init__(self, port: int, paths: list[str]):
        super().__init__(daemon=True)
        self.port, self.paths = port, paths
        self.responses: list[dict] = []
        self.stopping = threading.Event()

    def run(self) -> None:
        turn = 0
        while not self.stopping.is_set():
            path = self.paths[turn % len(self.paths)]
            turn += 1
            started = time.time()
            status, headers, body = get(self.port, path)
            self.responses.append(
                {
                    "path": path,
                    "started": started,
                    "status": status,
                    "worker": headers.get("X-Served-By", "?"),
                    "listed": sorted({int(n) for n in CHURN_NUMBER.findall(body)}),
                }
            )
            time.sleep(0.05)


def freshness(changes: list[dict], responses: list[dict]) -> dict:
    """Per worker: responses checked, those that missed a change made more than
    FRESHNESS_LIMIT before they were requested, and the longest lag seen.

    After change n, article n is listed and article n - 1 no longer is: a response
    is up to date with change n when it lists churned articles numbered n or more only.
    """
    workers: dict[str, dict] = {}
    for response in responses:
        done = [c for c in changes if c["done_at"] <= response["started"]]
        if not done:
            continue
        stats = workers.setdefault(
            response["worker"], {"checked": 0, "stale": 0, "late": 0, "max_lag_s": 0.0}
        )
        stats["checked"] += 1
        listed = response["listed"]
        shown = min(listed) if listed else 0  # the change this response reflects
        missed = [c for c in done if c["number"] > shown]
        if missed:
            stats["stale"] += 1
            lag = response["started"] - missed[0]["done_at"]
            stats["max_lag_s"] = max(stats["max_lag_s"], round(lag, 3))
            if lag > FRESHNESS_LIMIT:
                stats["late"] += 1
    return workers


SITE_SCRIPT = str(ROOT / "benchmarks" / "load_site.py")


def site_json(env: dict, command: str) -> dict:
    """What one of load_site.py's commands prints, as JSON, run with the sandbox's env."""
    return json.loads(
        subprocess.run(
            [sys.executable, SITE_SCRIPT, command],
            env=env,
            check=True,
            capture_output=True,
            text=True,
        ).stdout
    )


def push_count(env: dict) -> dict:
    """What the push feed has imported: its items, its articles, the live ones."""
    return site_json(env, "push-count")


def serve_sandbox(stack: ExitStack, name: str) -> tuple[int, dict, dict]:
    """Redis, then the sandbox migrated with its demo, then gunicorn (2 workers, its
    production settings) on 127.0.0.1, each stopped when ``stack`` closes: the port,
    the environment of the sandbox's processes, and the pages ``prepare`` gave."""
    for program in ("wrk", "redis-server"):
        if shutil.which(program) is None:
            raise SystemExit(f"{name}: {program} is missing (apt-get install {program})")
    workdir = stack.enter_context(tempfile.TemporaryDirectory(prefix=f"mediawire-{name}-"))
    redis_port, web_port = free_port(), free_port()
    redis = stack.enter_context(
        running(
            ["redis-server", "--bind", "127.0.0.1", "--port", str(redis_port)]
            + ["--save", "", "--appendonly", "no", "--dir", workdir],
            stdout=subprocess.DEVNULL,
        )
    )
    wait_for_port(redis_port, redis, "redis-server")
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "sandbox.settings.production",
        "SECRET_KEY": "load-run-only-not-secret",
        "ALLOWED_HOSTS": "127.0.0.1",
        "REDIS_URL": f"redis://127.0.0.1:{redis_port}/0",
        "PYTHONPATH": os.pathsep.join([str(ROOT / "sandbox"), str(ROOT / "benchmarks")]),
    }
    manage = str(ROOT / "sandbox" / "manage.py")
    for command in (["migrate", "--noinput", "-v0"], ["load_demo"]):
        subprocess.run(
            [sys.executable, manage, *command], env=env, check=True, stdout=subprocess.DEVNULL
        )
    pages = site_json(env, "prepare")
    web = stack.enter_context(
        running(
            [str(BIN / "gunicorn"), "--workers=2", f"--bind=127.0.0.1:{web_port}"]
            + ["--log-level=warning", "load_wsgi:application"],
            env=env,
            cwd=ROOT / "sandbox",
        )
    )
    wait_for_port(web_port, web, "gunicorn")
    return web_port, env, pages


def start_wrk(
    port: int, path: str, seconds: int, connections: int, deliveries: str = ""
) -> subprocess.Popen:
    """wrk on ``path``; with ``deliveries`` (a push manifest), POSTing those documents."""
    return subprocess.Popen(
        [
            "wrk",
            f"--threads={min(2, connections)}",
            f"--connections={connections}",
            f"--duration={seconds}s",
            "--timeout=10s",
            f"--script={ROOT / 'benchmarks' / 'load.lua'}",
            f"http://127.0.0.1:{port}{path}",
        ],
        env={**os.environ, "LOAD_DELIVERIES": deliveries} if deliveries else None,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )


def wrk_figures(process: subprocess.Popen, push: bool = False) -> dict:
    output, errors = process.communicate()
    if process.returncode:
        raise SystemExit(f"load: wrk exited with {process.returncode}: {errors.strip()}")
    line = next(line for line in output.splitlines() if line.startswith("LOAD-JSON "))
    figures = json.loads(line.removeprefix("LOAD-JSON "))
    seconds = figures["duration_us"] / 1e6
    row = {
        "requests": figures["requests"],
        "rps": round(figures["requests"] / seconds, 1),
        "p50_ms": round(figures["p50_us"] / 1000, 1),
        "p99_ms": round(figures["p99_us"] / 1000, 1),
        "non2xx": figures["non2xx"],
        "socket_errors": figures["socket_errors"],
    }
    if push:
        row["accepted"] = figures["accepted"]
        row["accepted_per_s"] = round(figures["accepted"] / seconds, 1)
    return row


def run_wrk(port: int, path: str, seconds: int, connections: int) -> dict:
    return wrk_figures(start_wrk(port, path, seconds, connections))


def first_round(port: int, path: str, manifest: str) -> dict:
    """Deliver each document once, one after the other: each imports and publishes its
    article (on the immediate backend, inside the request)."""
    times = []
    for line in Path(manifest).read_text().splitlines():
        signature, file = line.split(" ", 1)
        headers = {"Content-Type": "application/rss+xml", "X-Hub-Signature": signature}
        started = time.perf_counter()
        status, body = post(port, path, Path(file).read_bytes(), headers)
        times.append(time.perf_counter() - started)
        if status != 202:
            raise SystemExit(f"load: a first delivery answered {status}: {body[:200]!r}")
    return {
        "deliveries": len(times),
        "mean_ms": round(sum(times) / len(times) * 1000, 1),
        "max_ms": round(max(times) * 1000, 1),
    }


# What the article and section pages must serve, as a share of the bare page's req/s.
TARGET = 0.95


def vs_bare(pages: dict, name: str) -> float:
    bare = pages["bare page"]["rps"]
    return pages[name]["rps"] / bare if bare else 0.0


def table(pages: dict, workers: dict, before: dict | None = None) -> str:
    """The pages' figures; ``before``: the same run's pages before the wire pages'
    fragments were cached (benchmarks/before/), for the *before* column."""
    lines = [
        "| page | req/s | p50 ms | p99 ms | req/s vs bare | before | target "
        "| non-2xx | socket errors |",
        "|---|---:|---:|---:|---:|---:|---|---:|---:|",
    ]
    for name, row in pages.items():
        ratio = vs_bare(pages, name)
        was = f"{vs_bare(before, name):.2f}x" if before and name in before else ""
        target = ""
        if name in ("article page", "section page"):
            target = f"≥ {TARGET}x " + ("✓" if ratio >= TARGET else "✗")
        lines.append(
            f"| {name} | {row['rps']} | {row['p50_ms']} | {row['p99_ms']} | {ratio:.2f}x "
            f"| {was} | {target} | {row['non2xx']} | {row['socket_errors']} |"
        )
    lines += [
        "",
        "| worker | responses checked | missing a change | missing one older than 1 s "
        "| longest lag s |",
        "|---|---:|---:|---:|---:|",
    ]
    for number, stats in enumerate(workers.values(), start=1):
        lines.append(
            f"| {number} | {stats['checked']} | {stats['stale']} | {stats['late']} "
            f"| {stats['max_lag_s']} |"
        )
    return "\n".join(lines)


def push_table(push: dict) -> str:
    lines = [
        "| phase | traffic | per s | p50 ms | p99 ms | non-2xx | socket errors |",
        "|---|---|---:|---:|---:|---:|---:|",
    ]
    for phase, rows in push["phases"].items():
        for traffic, row in rows.items():
            rate = row["accepted_per_s"] if "accepted" in row else row["rps"]
            lines.append(
                f"| {phase} | {traffic} | {rate} | {row['p50_ms']} | {row['p99_ms']} "
                f"| {row['non2xx']} | {row['socket_errors']} |"
            )
    return "\n".join(lines)


def push_text(result: dict) -> str:
    push = result["push"]
    first = push["first_round"]
    backend = push["task_backend"]
    if backend.endswith("ImmediateBackend"):
        where = (
            "The sandbox's production settings leave Django's tasks on the immediate "
            f"backend (`{backend}`), so each delivery is imported inside its request: the "
            "figures are the endpoint *and* the import, not only the enqueueing."
        )
    else:
        where = (
            f"The deliveries are enqueued on `{backend}`: the figures are the endpoint and "
            "the enqueueing; the import runs on that backend's workers."
        )
    return (
        "### Push deliveries\n\n"
        "A push feed (RSS, publishing at once) delivering into a section of its own takes "
        f"{push['documents']} small signed RSS documents at `POST /wire/push/<feed_id>/` "
        "(`X-Hub-Signature: sha256=...`), one item each. Each was delivered once before "
        f"the load, one after the other: the first round, {first['deliveries']} "
        f"deliveries that each imported and published an article, took {first['mean_ms']} "
        f"ms each on average ({first['max_ms']} ms at most). Then wrk POSTed the same "
        "signed documents in turn, as an agency retrying its deliveries does, for "
        f"{result['seconds']} s at {result['connections']} connections, first alone and "
        "then at the same time as a second wrk (another "
        f"{result['connections']} connections) read the article page, while the "
        "publishing process and the checker above kept running. Every measured delivery "
        "was accepted (202) and, being a redelivery, imported nothing new: "
        f"{push['imported_during_load']} items were added during the load. *per s* is the "
        "deliveries accepted per second for the push rows, requests per second for the "
        f"article page. {where}\n\n"
        f"{push_table(push)}\n\n"
    )


TITLES = {"postgresql": "PostgreSQL", "sqlite": "SQLite"}
# Why a page misses its target, measured: printed under its table when it does.
REASONS: dict[str, str] = {}


def write_docs(result: dict) -> None:
    docs = ROOT / "docs"
    vendor = result["database"]
    (docs / f"load-{vendor}.json").write_text(json.dumps(result, indent=2) + "\n")
    sections = []
    for vendor, title in TITLES.items():
        path = docs / f"load-{vendor}.json"
        if path.exists():
            sections.append(database_section(json.loads(path.read_text()), vendor, title))
    (docs / "explanation" / "load-results.md").write_text(
        "# Load results\n\n"
        "Written by `make load` (`benchmarks/load.py`, PostgreSQL then SQLite); do not "
        "edit by hand. *before* is the same measurement of the commit named in "
        "`benchmarks/before/`, before the wire pages' fragments were cached.\n\n"
        + "\n".join(sections)
    )


def before_pages(vendor: str) -> dict | None:
    """The pages' figures before the wire pages' fragments were cached, if recorded."""
    path = ROOT / "benchmarks" / "before" / f"load-{vendor}.json"
    return json.loads(path.read_text())["pages"] if path.exists() else None


def database_section(result: dict, vendor: str, title: str) -> str:
    before = before_pages(vendor)
    missed = [
        f"- **{name}**: {vs_bare(result['pages'], name):.2f}x the bare page's requests per "
        f"second against a target of {TARGET}x. " + REASONS.get(f"{title} {name}", "")
        for name in ("article page", "section page")
        if vs_bare(result["pages"], name) < TARGET
    ]
    return (
        f"## {title}\n\n"
        f"The sandbox served by gunicorn (2 workers, `sandbox.settings.production`) on "
        f"{title} with a Redis cache, all on 127.0.0.1 of one 2-core machine, driven by "
        f"wrk for {result['seconds']} s per page at {result['connections']} connections, "
        "one page after the other. Meanwhile another process published a new article "
        "every two seconds and unpublished the one before "
        f"({result['changes']} changes), and a checker read the home, section and article "
        "pages on new connections, noting which worker answered. *req/s vs bare* compares "
        "each page with a plain Wagtail page holding the same text, measured in the same "
        f"run; wrk, {'the database, ' if title != 'SQLite' else ''}Redis and the "
        "publishing process share the machine's two cores with gunicorn.\n\n"
        f"{table(result['pages'], result['workers'], before)}\n\n"
        + ("Targets missed in this run:\n\n" + "\n".join(missed) + "\n\n" if missed else "")
        + f"{push_text(result)}"
        f"Measured with Wagtail {result['versions']['wagtail']}, Django "
        f"{result['versions']['django']}, Python {result['versions']['python']}.\n"
    )


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seconds", type=int, default=30, help="wrk's duration per page")
    parser.add_argument("--connections", type=int, default=4, help="wrk's concurrency")
    parser.add_argument(
        "--documents", type=int, default=20, help="distinct signed documents pushed in turn"
    )
    parser.add_argument("--no-docs", action="store_true", help="do not write into docs/")
    parser.add_argument(
        "--sqlite", action="store_true", help="an SQLite file in a temporary directory"
    )
    args = parser.parse_args()

    with ExitStack() as stack:
        if args.sqlite:
            folder = stack.enter_context(tempfile.TemporaryDirectory(prefix="mediawire-db-"))
            os.environ["DATABASE_URL"] = f"sqlite:///{folder}/load.sqlite3"
        elif not os.environ.get("DATABASE_URL", "").startswith("postgres"):
            raise SystemExit(
                "load: run it on PostgreSQL (scripts/with-postgres ..., make load) or --sqlite"
            )
        web_port, env, pages = serve_sandbox(stack, "load")
        python = sys.executable
        site_script = SITE_SCRIPT
        for path in pages.values():
            for _ in range(10):
                status, _, _ = get(web_port, path)
                if status != 200:
                    raise SystemExit(f"load: {path} answered {status} before the load")

        push_dir = stack.enter_context(tempfile.TemporaryDirectory(prefix="mediawire-push-"))
        push = json.loads(
            subprocess.run(
                [python, site_script, "push-prepare", f"--dir={push_dir}"]
                + [f"--count={args.documents}"],
                env=env,
                check=True,
                capture_output=True,
                text=True,
            ).stdout
        )
        first = first_round(web_port, push["path"], push["manifest"])
        before = push_count(env)
        if before["items"] != args.documents or before["live"] != args.documents:
            raise SystemExit(
                f"load: the first round imported {before} from {args.documents} documents"
            )

        # The page phases, then the push phase alone and beside the article page.
        churn_seconds = args.seconds * (len(pages) + 2) + 2
        changes: list[dict] = []
        churn = stack.enter_context(
            running(
                [python, site_script, "churn", f"--seconds={churn_seconds}", "--every=2"],
                env=env,
                stdout=subprocess.PIPE,
                text=True,
            )
        )

        def read_changes() -> None:
            for line in churn.stdout:
                changes.append(json.loads(line))

        reader = threading.Thread(target=read_changes, daemon=True)
        reader.start()
        # The publishing process has started (Django is set up) once it made a change.
        deadline = time.monotonic() + 60
        while not changes and churn.poll() is None and time.monotonic() < deadline:
            time.sleep(0.1)
        checker = Checker(
            web_port, [pages["home page"], pages["section page"], pages["article page"]]
        )
        checker.start()

        results = {}
        for name, path in pages.items():
            print(f"load: {name} {path} for {args.seconds} s ...", flush=True)
            results[name] = run_wrk(web_port, path, args.seconds, args.connections)
        print(f"load: push deliveries {push['path']} for {args.seconds} s ...", flush=True)
        pushing = start_wrk(
            web_port, push["path"], args.seconds, args.connections, push["manifest"]
        )
        phases = {"push alone": {"push deliveries accepted": wrk_figures(pushing, push=True)}}
        print(
            f"load: push deliveries beside article page traffic for {args.seconds} s ...",
            flush=True,
        )
        pushing = start_wrk(
            web_port, push["path"], args.seconds, args.connections, push["manifest"]
        )
        reading = start_wrk(web_port, pages["article page"], args.seconds, args.connections)
        phases["push + article page"] = {
            "push deliveries accepted": wrk_figures(pushing, push=True),
            "article page requests": wrk_figures(reading),
        }
        checker.stopping.set()
        checker.join()
        after = push_count(env)
        churn.wait(timeout=30)
        reader.join(timeout=5)

    import django
    import wagtail

    workers = freshness(changes, checker.responses)
    result = {
        "database": "sqlite" if args.sqlite else "postgresql",
        "seconds": args.seconds,
        "connections": args.connections,
        "changes": len(changes),
        "pages": results,
        "workers": workers,
        "checker_non200": sum(1 for r in checker.responses if r["status"] != 200),
        "push": {
            "documents": args.documents,
            "task_backend": push["task_backend"],
            "first_round": first,
            "phases": phases,
            "imported_during_load": after["items"] - before["items"],
            "live_after_load": after["live"],
            "last_delivery": after["last_delivery"],
        },
        "versions": {
            "wagtail": wagtail.__version__,
            "django": django.__version__,
            "python": sys.version.split()[0],
        },
    }
    print(table(results, workers, before_pages(result["database"])))
    print()
    print(push_table(result["push"]))
    print(
        f"push: task backend {push['task_backend']}; first round {first['deliveries']} "
        f"deliveries, {first['mean_ms']} ms each on average, {first['max_ms']} ms at most; "
        f"items imported during the load: {result['push']['imported_during_load']}; "
        f"last delivery: {after['last_delivery']!r}"
    )
    print(f"changes published: {len(changes)}; checker responses: {len(checker.responses)}")
    if not args.no_docs:
        write_docs(result)

    failures = []
    if any(row["non2xx"] or row["socket_errors"] for row in results.values()):
        failures.append("non-2xx answers or socket errors under load")
    push_rows = [row for rows in phases.values() for row in rows.values()]
    if any(row["non2xx"] or row["socket_errors"] for row in push_rows):
        failures.append("non-2xx answers or socket errors beside the push deliveries")
    if any(row.get("accepted", row["requests"]) != row["requests"] for row in push_rows):
        failures.append("a valid push delivery was not answered 202")
    if result["push"]["imported_during_load"] or after["live"] != args.documents:
        failures.append(f"redeliveries changed what the push feed imported: {after}")
    if result["checker_non200"]:
        failures.append(f"{result['checker_non200']} checked responses were not 200")
    if len(workers) < 2:
        failures.append(f"the checker reached {len(workers)} worker(s), not 2")
    if any(stats["late"] for stats in workers.values()):
        failures.append("a change took more than one second to show")
    if not changes:
        failures.append("no change was published during the load")
    for failure in failures:
        print(f"load: FAILED: {failure}", file=sys.stderr)
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())

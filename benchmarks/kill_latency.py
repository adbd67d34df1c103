"""Kill latency: how long an agency's kill takes to come down from every output.

    scripts/with-postgres .venv/bin/python benchmarks/kill_latency.py [--kills 20]

The sandbox on gunicorn (2 workers, its production settings), PostgreSQL and Redis on
127.0.0.1, as `make load` runs it, while wrk reads the section page. Per kill: a story
is imported and published (ninjs, through the importer), read until both workers serve
it; then its kill is imported, and the clock runs from the kill's start until both
workers answer 410 Gone at its address and neither the section's RSS feed nor the home
page's Recent Posts lists it (each read on new connections, so either worker answers).
Prints each kill's latency and the worst; exits non-zero when one took a second or more.
A CDN purge is not part of the sandbox: the suite records it (tests/ingest/test_lifecycle.py).
"""

import argparse
import json
import os
import subprocess
import sys
import time
from contextlib import ExitStack
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from load import SITE_SCRIPT, get, running, serve_sandbox  # noqa: E402

LIMIT = 1.0  # seconds
GIVE_UP = 15.0  # seconds: a kill not down by then is reported as such


def gone_everywhere(port: int, url: str, slug: str, section: str, home: str) -> bool:
    """Both workers answer 410 at the address; the feed and Recent Posts drop it."""
    workers: set[str] = set()
    for _ in range(8):
        status, headers, _ = get(port, url)
        if status != 410:
            return False
        workers.add(headers.get("X-Served-By", "?"))
        if len(workers) == 2:
            break
    if len(workers) < 2:
        return False
    return slug.encode() not in get(port, section + "feed/")[2] and (
        slug.encode() not in get(port, home)[2]
    )


def served_by_both(port: int, url: str) -> bool:
    workers = set()
    for _ in range(20):
        status, headers, _ = get(port, url)
        if status == 200:
            workers.add(headers.get("X-Served-By", "?"))
        if len(workers) == 2:
            return True
    return False


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--kills", type=int, default=20)
    args = parser.parse_args()
    if not os.environ.get("DATABASE_URL", "").startswith("postgres"):
        raise SystemExit("kill_latency: run it on PostgreSQL: scripts/with-postgres ...")
    latencies: list[float] = []
    with ExitStack() as stack:
        web_port, env, pages = serve_sandbox(stack, "kill_latency")
        python, site_script = sys.executable, SITE_SCRIPT
        section, home = pages["section page"], pages["home page"]
        # Readers the whole time: wrk on the section page, longer than the kills take.
        stack.enter_context(
            running(
                ["wrk", "--threads=1", "--connections=2", f"--duration={args.kills * 10}s",
                 f"http://127.0.0.1:{web_port}{section}"],
                stdout=subprocess.DEVNULL,
            )
        )  # fmt: skip
        desk = stack.enter_context(
            running(
                [python, site_script, "kills", f"--count={args.kills}"],
                env=env, stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True,
            )
        )  # fmt: skip
        for _ in range(args.kills):
            story = json.loads(desk.stdout.readline())
            if not served_by_both(web_port, story["url"]):
                raise SystemExit(f"kill_latency: {story['url']} was never served by both workers")
            desk.stdin.write("kill\n")
            desk.stdin.flush()
            started = time.time()
            while not gone_everywhere(web_port, story["url"], story["slug"], section, home):
                if time.time() - started > GIVE_UP:
                    break
            gone_at = time.time()
            done = json.loads(desk.stdout.readline())
            # From the moment the importer began the kill (same clock, same machine).
            latency = gone_at - done["started"]
            latencies.append(latency)
            print(
                f"kill {story['number']:>2}: {latency * 1000:6.0f} ms until gone everywhere "
                f"(import committed after {(done['done_at'] - done['started']) * 1000:.0f} ms)",
                flush=True,
            )
        desk.stdin.close()

    worst = max(latencies)
    print(f"kills: {len(latencies)}; worst {worst * 1000:.0f} ms; target under {LIMIT:.0f} s")
    return 0 if worst < LIMIT else 1


if __name__ == "__main__":
    sys.exit(main())

"""docs/tutorial.md, executed: its commands and lines as written, on a new `wagtail start`
site in a new virtualenv, then the pages a reader opens on `runserver`.

The test reads the tutorial's code blocks, so it breaks when the page drifts from what
works. Marked `tutorial`: left out of `make test`, run by `make test-tutorial` (its own
step in `.ci/run`). It installs Wagtail and Django from the package index (pip's cache
makes a second run quicker) and takes a minute or two.
"""

import os
import re
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from pathlib import Path

import pytest

pytestmark = pytest.mark.tutorial

ROOT = Path(__file__).resolve().parent.parent
TUTORIAL = ROOT / "docs" / "tutorial.md"
CHECKOUT = "/path/to/wagtail-mediawire"  # the tutorial's name for the checkout
FENCE = re.compile(r"^```(\w+)\n(.*?)^```$", re.MULTILINE | re.DOTALL)
CSS_URL = "/static/wagtail_mediawire/css/mediawire.css"
STYLESHEET = f'<link rel="stylesheet" href="{CSS_URL}">'
# What the tutorial's script publishes.
HEADLINE = "Harbour reopens after the storm"
SECTION_URL = "/media-wire/"


class Shell:
    """Runs the tutorial's shell blocks one after another, as a reader types them: each
    in the folder the previous one ended in, with the virtualenv it made active."""

    def __init__(self, tmp: Path):
        self.cwd = tmp
        self.venv = tmp / ".venv"
        bin_dir = tmp / "bin"
        bin_dir.mkdir()
        (bin_dir / "python").symlink_to(sys.executable)  # the reader's `python`
        self.env = {
            name: value
            for name, value in os.environ.items()
            # pytest-django's settings module, and this checkout's own virtualenv.
            if name not in {"DJANGO_SETTINGS_MODULE", "VIRTUAL_ENV", "PYTHONPATH", "PYTHONHOME"}
        }
        self.env["PATH"] = f"{bin_dir}{os.pathsep}{self.env.get('PATH', '')}"
        self.env.update(PIP_DISABLE_PIP_VERSION_CHECK="1", PIP_NO_INPUT="1")

    def _script(self, block: str) -> str:
        activate = self.venv / "bin" / "activate"
        return f"if [ -f {activate} ]; then . {activate}; fi\n{block}"

    def run(self, block: str) -> str:
        cwd_file = self.cwd / ".tutorial-cwd"
        result = subprocess.run(
            ["bash", "-euo", "pipefail", "-c", f"{self._script(block)}\npwd > {cwd_file}"],
            cwd=self.cwd,
            env=self.env,
            capture_output=True,
            text=True,
            timeout=900,
            check=False,
        )
        output = result.stdout + result.stderr
        assert result.returncode == 0, f"$ {block}\n{output}"
        self.cwd = Path(cwd_file.read_text().strip())
        cwd_file.unlink()
        return output

    def start(self, block: str, log) -> subprocess.Popen:
        return subprocess.Popen(
            ["bash", "-c", self._script(f"exec {block}")],
            cwd=self.cwd,
            env=self.env,
            stdout=log,
            stderr=subprocess.STDOUT,
        )


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _get(base: str, path: str) -> str:
    # Only ever http://127.0.0.1:<port>, the runserver this test started.
    with urllib.request.urlopen(base + path, timeout=60) as response:  # noqa: S310
        assert response.status == 200, path
        return response.read().decode()


def _wait_until_served(server: subprocess.Popen, base: str, log: Path) -> None:
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline:
        assert server.poll() is None, f"runserver stopped:\n{log.read_text()}"
        try:
            _get(base, "/favicon-none/")  # anything answered, even a 404
        except urllib.error.HTTPError:
            return
        except OSError:
            time.sleep(0.5)
        else:
            return
    pytest.fail(f"runserver did not answer in 120 s:\n{log.read_text()}")


def _insert_after(path: Path, anchor: str, lines: str) -> None:
    text = path.read_text()
    assert text.count(anchor) == 1, f"{path} no longer has {anchor!r} once"
    path.write_text(text.replace(anchor, anchor + lines))


def test_the_tutorial_as_written(tmp_path):
    text = TUTORIAL.read_text()
    fences = FENCE.findall(text)
    prose = " ".join(FENCE.sub("", text).split())  # what the reader is told, unwrapped
    # The shape this test follows, in the tutorial's order.
    assert [language for language, _ in fences] == [
        "sh",  # 1. install, wagtail start, cd mysite
        "python",  # 2. the INSTALLED_APPS lines
        "sh",  # 3. migrate
        "python",  # 4. wire_desk.py
        "sh",  # 4. run it
        "django",  # 5. the home page's lines
        "sh",  # 6. runserver
    ]
    install, apps, migrate, script, run_script, home_lines, serve = (code for _, code in fences)
    assert CHECKOUT in install
    shell = Shell(tmp_path)

    # 1. A virtualenv, the checkout installed into it, and a new site.
    shell.run(install.replace(CHECKOUT, str(ROOT)))
    site = shell.cwd
    assert (site / "manage.py").exists(), site

    # 2. The lines marked "# add", as shown, right after "search", as the tutorial says.
    # The block's other entries are what `wagtail start` wrote, in its order, and it
    # already has "wagtail.snippets" (never to be added twice).
    settings = site / "mysite" / "settings" / "base.py"
    written = settings.read_text()
    assert 'marked `# add`, right after `"search",`' in prose
    lines = apps.splitlines(keepends=True)
    added = [line for line in lines if "  # add" in line]
    shown = [line for line in lines if line.startswith('    "') and line not in added]
    assert len(added) == 3
    assert [written.index(line) for line in shown] == sorted(written.index(line) for line in shown)
    assert written.count('"wagtail.snippets"') == 1
    assert not any('"wagtail.snippets"' in line for line in added)
    after_search = lines.index('    "search",\n') + 1
    assert lines[after_search : after_search + len(added)] == added
    _insert_after(settings, '    "search",\n', "".join(added))

    # 3. The tables; the package's system checks have nothing to say.
    output = shell.run(migrate)
    assert not re.search(r"wagtail_mediawire\.[EW]\d{3}", output), output

    # 4. A disclaimer, a section and a published article, by the tutorial's script.
    script_name = re.fullmatch(r"python manage\.py shell < (\S+)\n", run_script).group(1)
    assert f"save this as `{script_name}` beside `manage.py`" in prose
    (site / script_name).write_text(script)
    output = shell.run(run_script)
    article_url = re.search(r"^Published: (\S+)$", output, re.MULTILINE).group(1)

    # 5. Recent Posts on wagtail start's home page.
    include = "{% include 'home/welcome_page.html' %}\n"
    assert f"add these two lines right after `{include.strip()}`" in prose
    _insert_after(site / "home" / "templates" / "home" / "home_page.html", include, home_lines)

    # 6. runserver, on a free loopback port, and what a reader sees.
    assert serve == "python manage.py runserver\n"
    port = _free_port()
    base = f"http://127.0.0.1:{port}"
    log = tmp_path / "runserver.log"
    log_file = log.open("w")
    server = shell.start(f"{serve.strip()} --noreload 127.0.0.1:{port}", log_file)
    try:
        _wait_until_served(server, base, log)
        home = _get(base, "/")
        body = home[home.index("<body") :]
        assert "Recent Posts" in body
        assert f">{HEADLINE}</a>" in body
        # The block's styling is linked, once, before it.
        assert home.count(STYLESHEET) == 1
        assert body.index(STYLESHEET) < body.index('class="mediawire-recent"')
        assert ".mediawire-recent__title" in _get(base, CSS_URL)

        # Follow the post, as a reader would.
        href = re.search(r'class="mediawire-recent__title" href="([^"]+)"', body).group(1)
        assert href == article_url
        article = _get(base, href)
        assert f'<h1 class="mediawire-article__title">{HEADLINE}</h1>' in article
        assert f'<a href="{SECTION_URL}">Media Wire</a>' in article
        assert "The harbour office says ferries run again." in article
        assert "Example Media Wire" in article  # the signature
        assert "retrieved from other news agencies" in article  # the disclaimer
        assert "Northwind Press" in article
        assert 'href="https://northwind.example/harbour"' in article
        assert article.count(STYLESHEET) == 1

        assert HEADLINE in _get(base, SECTION_URL)
    finally:
        server.terminate()
        try:
            server.wait(timeout=10)
        except subprocess.TimeoutExpired:
            server.kill()
            server.wait()
        log_file.close()

"""The sandbox's WSGI application, naming the worker that answered (``X-Served-By``), so
that ``make load`` can tell that every worker shows each change."""

import os

from sandbox.wsgi import application as sandbox_application


def application(environ, start_response):
    def start(status, headers, exc_info=None):
        return start_response(status, [*headers, ("X-Served-By", str(os.getpid()))], exc_info)

    return sandbox_application(environ, start)

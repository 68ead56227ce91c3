"""The archive is served read-only: every request that could write is refused at the door.

Datasette already refuses write SQL and the store defines no writable canned query, but a POST to
a canned query reaches Datasette's view and fails there with a 500 and a traceback in the log.
Answering 405 before any view runs makes "nothing here writes" one rule instead of many.
"""

from __future__ import annotations

from datasette import hookimpl

READ_METHODS = {"GET", "HEAD", "OPTIONS"}
BODY = b"This archive is served read-only: only GET and HEAD requests are answered.\n"


@hookimpl
def asgi_wrapper(datasette):
    def wrap(app):
        async def read_only(scope, receive, send):
            if scope.get("type") == "http" and scope.get("method", "GET").upper() not in READ_METHODS:
                await send({
                    "type": "http.response.start",
                    "status": 405,
                    "headers": [(b"content-type", b"text/plain; charset=utf-8"), (b"allow", b"GET, HEAD")],
                })
                await send({"type": "http.response.body", "body": BODY})
                return
            await app(scope, receive, send)

        return read_only

    return wrap

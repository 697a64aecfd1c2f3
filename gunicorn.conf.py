"""gunicorn's settings for production's ``web``, read from the working directory (gunicorn's
default config file).

gunicorn has no setting for its ``Server`` response header, which tells every client the
server and version: the response's default headers go out without it."""

from gunicorn.http import wsgi

_default_headers = wsgi.Response.default_headers


def _without_server(self: wsgi.Response) -> list[str]:
    return [line for line in _default_headers(self) if not line.lower().startswith("server:")]


wsgi.Response.default_headers = _without_server

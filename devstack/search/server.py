"""Solr HTTP façade: routes `/solr/<core>/…` requests to a `Core` and shapes the responses."""

from __future__ import annotations

import json
import logging
import re
import threading
import traceback
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, urlsplit

from .core import Core, Params, SolrError
from .schema import Schema, load_schema
from .store import DocStore

__all__ = ["SearchService", "make_server"]

log = logging.getLogger("devstack.search")

_ROUTE = re.compile(r"^/solr/(?P<core>[A-Za-z0-9_.-]+)(?P<path>/.*)?$")
MAX_BODY = 256 * 1024 * 1024


class SearchService:
    """The cores of one service process (created on first use; all share CKAN's schema)."""

    def __init__(self, data_dir: Path | None, schema: Schema | None = None) -> None:
        self.data_dir = data_dir
        self.schema = schema or load_schema()
        self._cores: dict[str, Core] = {}
        self._lock = threading.Lock()

    def core(self, name: str) -> Core:
        with self._lock:
            core = self._cores.get(name)
            if core is None:
                store = DocStore(self.data_dir / f"{name}.sqlite3") if self.data_dir else None
                core = self._cores[name] = Core(name, self.schema, store)
            return core

    def close(self) -> None:
        with self._lock:
            for core in self._cores.values():
                core.close()


class Handler(BaseHTTPRequestHandler):
    server_version = "devstack-search/1.0"
    protocol_version = "HTTP/1.1"
    disable_nagle_algorithm = True  # headers and body go out in separate writes
    service: SearchService  # set on the subclass made by make_server

    def log_message(self, format: str, *args: Any) -> None:  # noqa: A002 - stdlib signature
        log.debug("%s " + format, self.address_string(), *args)

    def do_GET(self) -> None:  # noqa: N802 - stdlib naming
        self._dispatch(b"")

    def do_HEAD(self) -> None:  # noqa: N802
        self._dispatch(b"")

    def do_POST(self) -> None:  # noqa: N802
        try:
            length = int(self.headers.get("Content-Length") or 0)
        except ValueError:
            length = -1
        if length < 0 or length > MAX_BODY:
            self._send_error(SolrError(400, "Invalid or too large Content-Length"))
            self.close_connection = True
            return
        self._dispatch(self.rfile.read(length) if length else b"")

    def _dispatch(self, body: bytes) -> None:
        try:
            url = urlsplit(self.path)
            params: Params = parse_qs(url.query, keep_blank_values=True)
            ctype = self.headers.get("Content-Type", "")
            if body and ctype.startswith("application/x-www-form-urlencoded"):
                for k, v in parse_qs(
                    body.decode("utf-8", "replace"), keep_blank_values=True
                ).items():
                    params.setdefault(k, []).extend(v)
                body = b""
            m = _ROUTE.match(url.path)
            if not m:
                raise SolrError(404, f"Not found: {url.path}")
            core_name, path = m.group("core"), (m.group("path") or "/").rstrip("/")
            if path in ("/schema", "/admin/file"):
                self._schema(path, params)
                return
            core = self.service.core(core_name)
            if path == "/select":
                self._send_json(200, core.select(params))
            elif path in ("/update", "/update/json", "/update/xml"):
                self._send_json(200, core.update(body, ctype, params))
            elif path == "/admin/ping":
                self._send_json(200, {"responseHeader": {"status": 0, "QTime": 0}, "status": "OK"})
            else:
                raise SolrError(404, f"Unknown handler: {path}")
        except SolrError as exc:
            self._send_error(exc)
        except Exception as exc:  # never let one request take the service down
            log.error("internal error on %s\n%s", self.path, traceback.format_exc())
            self._send_error(SolrError(500, f"Internal error: {type(exc).__name__}: {exc}"))

    def _schema(self, path: str, params: Params) -> None:
        wanted = (params.get("wt") or [""])[-1] if path == "/schema" else "schema.xml"
        if path == "/admin/file" and (params.get("file") or [""])[-1] not in (
            "schema.xml",
            "managed-schema",
        ):
            raise SolrError(404, "Can not find: " + (params.get("file") or [""])[-1])
        schema = self.service.schema
        if wanted == "schema.xml":
            self._send(200, schema.xml_text.encode("utf-8"), "application/xml; charset=utf-8")
        else:
            self._send_json(
                200,
                {
                    "responseHeader": {"status": 0, "QTime": 0},
                    "schema": {"name": schema.name, "uniqueKey": schema.unique_key},
                },
            )

    def _send_error(self, exc: SolrError) -> None:
        body = {
            "responseHeader": {"status": exc.code, "QTime": 0},
            "error": {
                "metadata": ["error-class", "org.apache.solr.common.SolrException"],
                "msg": exc.msg,
                "code": exc.code,
            },
        }
        self._send_json(exc.code, body)

    def _send_json(self, status: int, body: dict[str, Any]) -> None:
        self._send(status, json.dumps(body).encode("utf-8"), "application/json; charset=utf-8")

    def _send(self, status: int, data: bytes, ctype: str) -> None:
        self.send_response(status)
        self.send_header("Content-Type", ctype)
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        if self.command != "HEAD":
            self.wfile.write(data)


class _Server(ThreadingHTTPServer):
    daemon_threads = True
    allow_reuse_address = True


def make_server(host: str, port: int, service: SearchService) -> ThreadingHTTPServer:
    handler = type("BoundHandler", (Handler,), {"service": service})
    return _Server((host, port), handler)

"""Pure tests (no services): schema conversion, the registry, plain-language errors, the fetch
guard (against a local HTTP server), and the job's robustness against hostile files."""

from __future__ import annotations

import http.server
import io
import json
import socket
import threading
import time
import zipfile
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from frictionless import Schema

from ckanext.publicservices.validation import fetch, jobs, legacy_schema, report, standards

LEGACY_SCHEMAS = Path(__file__).resolve().parent / "legacy_schemas"


# -- standards ---------------------------------------------------------------------------------


def test_legacy_conversion() -> None:
    old = {
        "title": "t",
        "fields": [
            {
                "name": "Date",
                "type": "date",
                "format": "fmt:DD/MM/YYYY",
                "constraints": {"required": True},
            },
            {
                "name": "Amount",
                "type": "number",
                "format": "currency",
                "constraints": {"required": False},
            },
            {
                "name": "Pay",
                "constraints": {
                    "type": "http://www.w3.org/2001/XMLSchema#float",
                    "description": "extra words",
                },
            },
            {"name": "Note"},
        ],
    }
    new = legacy_schema.convert(old, name="x")
    date, amount, pay, note = new["fields"]
    assert date == {
        "name": "Date",
        "type": "date",
        "format": "%d/%m/%Y",
        "constraints": {"required": True},
    }
    assert amount == {"name": "Amount", "type": "number", "bareNumber": False, "groupChar": ","}
    assert pay == {"name": "Pay", "description": "extra words", "type": "number"}
    assert note == {"name": "Note", "type": "string"}
    Schema.from_descriptor(new)  # valid for frictionless


def test_shipped_conversions_are_reproducible() -> None:
    pairs = {
        "lgtc-counter-fraud": "local-gov_fraud.json",
        "spend-over-25k": "spend-hmt_spend-25k.json",
        "organogram-senior-staff": "organogram_organogram-senior-staff-csv-schema.json",
    }
    for name, source in pairs.items():
        shipped = standards.schema(name)
        converted = legacy_schema.convert(json.loads((LEGACY_SCHEMAS / source).read_text()))
        assert shipped["fields"] == converted["fields"], name


def test_every_standard_is_a_valid_table_schema() -> None:
    everything = standards.all()
    assert {
        "business-rates",
        "fuel-poverty-risk",
        "careers-guidance-contacts",
        "venue-wifi-footfall",
        "lgtc-counter-fraud",
        "spend-over-25k",
    } <= {s["name"] for s in everything}
    for std in everything:
        Schema.from_descriptor(std["schema"])
        assert std["licenses"], std["name"]
        assert std["uri"].endswith("/standard/" + std["name"])
    names = [f["name"] for f in standards.schema("business-rates")["fields"]]
    for column in (
        "property_reference",
        "billing_authority_reference",
        "ratepayer",
        "company_number",
        "charity_number",
        "postcode",
        "latitude",
        "longitude",
        "occupied",
        "rateable_value",
        "primary_description_code",
        "mandatory_relief_amount",
        "total_relief_amount",
    ):
        assert column in names


def test_standard_lookup_by_name_uri_json_and_old_site() -> None:
    uri = standards.uri("business-rates")
    assert standards.get(uri)["name"] == "business-rates"
    assert standards.get("business-rates")["uri"] == uri
    assert (
        standards.get("https://old.example.org/standard/business-rates.json")["name"]
        == "business-rates"
    )
    assert standards.get("https://example.org/standard/../../etc/passwd") is None
    assert standards.get("https://example.org/other/business-rates") is None
    assert (
        standards.resolve_conforms_to(f'["https://x.org/spec", "{uri}"]')["name"]
        == "business-rates"
    )
    assert standards.resolve_conforms_to(["https://x.org/spec"]) is None


# -- plain language ----------------------------------------------------------------------------


def test_errors_explained_in_plain_language() -> None:
    schema = standards.schema("business-rates")
    e = report.explain(
        {
            "type": "constraint-error",
            "rowNumber": 7,
            "fieldName": "occupied",
            "fieldNumber": 10,
            "cell": "yes",
            "note": "constraint \"enum\" is \"['Y', 'N']\"",
            "tags": ["#row"],
        },
        schema,
    )
    assert (e["row"], e["column"]) == (7, "occupied")
    assert "“yes” is not one of the allowed values" in e["what"] and "Y, N" in e["fix"]
    e = report.explain(
        {
            "type": "type-error",
            "rowNumber": 2,
            "fieldName": "rateable_value",
            "cell": "£1,200",
            "note": "",
            "tags": ["#row"],
        },
        schema,
    )
    assert e["what"] == "“£1,200” is not a number." and "no £ sign" in e["fix"]
    e = report.explain(
        {
            "type": "incorrect-label",
            "fieldName": "ratepayer",
            "label": "Ratepayer name",
            "fieldNumber": 3,
            "tags": ["#header"],
        },
        schema,
    )
    assert "Column 3 is headed “Ratepayer name”" in e["what"]


# -- fetch guard -------------------------------------------------------------------------------


class _Handler(http.server.BaseHTTPRequestHandler):
    def do_GET(self) -> None:  # noqa: N802
        if self.path == "/to-metadata":
            self.send_response(302)
            self.send_header("Location", "http://169.254.169.254/latest/meta-data/")
            self.end_headers()
            return
        if self.path == "/to-self":
            self.send_response(301)
            self.send_header("Location", "/data.csv")
            self.end_headers()
            return
        body = b"a,b\n1,2\n" * (1000 if self.path == "/big.csv" else 1)
        self.send_response(200)
        self.send_header("Content-Type", "text/csv")
        if self.path != "/big.csv":
            self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, *args: Any) -> None:
        pass


@pytest.fixture(scope="module")
def server() -> Iterator[str]:
    srv = http.server.ThreadingHTTPServer(("127.0.0.1", 0), _Handler)
    thread = threading.Thread(target=srv.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{srv.server_port}"
    srv.shutdown()


def _fetch(url: str, **kw: Any) -> bytes:
    buf = io.BytesIO()
    fetch.fetch(url, buf, max_bytes=kw.pop("max_bytes", 100_000), timeout=5, deadline=10, **kw)
    return buf.getvalue()


@pytest.mark.parametrize(
    "url, reason",
    [
        ("http://127.0.0.1:9/x.csv", "loopback"),
        ("http://localhost:9/x.csv", "loopback"),
        ("http://10.0.0.8/x.csv", "private"),
        ("http://192.168.1.1/x.csv", "private"),
        ("http://169.254.169.254/latest/meta-data/", "cloud metadata"),
        ("http://[::1]/x.csv", "loopback"),
        ("http://[::ffff:127.0.0.1]/x.csv", "loopback"),
        ("http://0.0.0.0/x.csv", "unspecified"),
        ("http://100.100.100.200/x", "cloud metadata"),
        ("file:///etc/passwd", "only http and https"),
        ("ftp://example.org/x.csv", "only http and https"),
        ("http://user:pw@example.org/x.csv", "user name or password"),
    ],
)
def test_fetch_refuses_internal_addresses(url: str, reason: str) -> None:
    with pytest.raises(fetch.FetchRefused) as err:
        _fetch(url)
    assert reason in err.value.reason


def test_fetch_checks_every_redirect_and_caps_size(server: str) -> None:
    with pytest.raises(fetch.FetchRefused, match="loopback"):
        _fetch(server + "/data.csv")  # private addresses refused by default
    assert _fetch(server + "/data.csv", allow_private=True) == b"a,b\n1,2\n"
    assert _fetch(server + "/to-self", allow_private=True) == b"a,b\n1,2\n"
    with pytest.raises(fetch.FetchRefused) as err:
        _fetch(
            server + "/to-metadata", allow_private=True
        )  # metadata stays refused after a redirect
    assert "cloud metadata" in err.value.reason and err.value.url.startswith(
        "http://169.254.169.254"
    )
    with pytest.raises(fetch.FetchRefused, match="more than the"):
        _fetch(server + "/data.csv", allow_private=True, max_bytes=4)  # Content-Length
    with pytest.raises(fetch.FetchRefused, match="larger than the"):
        _fetch(server + "/big.csv", allow_private=True, max_bytes=1000)  # streamed bytes


def test_connected_peer_is_checked(server: str) -> None:
    # the socket-level check refuses the address actually connected to (DNS rebinding)
    host, port = server[len("http://") :].split(":")
    sock = socket.create_connection((host, int(port)))
    with pytest.raises(fetch.FetchRefused, match="connection went to 127.0.0.1"):
        fetch._check_socket(sock, allow_private=False)
    sock = socket.create_connection((host, int(port)))
    fetch._check_socket(sock, allow_private=True)
    sock.close()


# -- robustness --------------------------------------------------------------------------------


def _write(tmp_path: Path, name: str, data: bytes) -> str:
    path = tmp_path / name
    path.write_bytes(data)
    return str(path)


@pytest.mark.parametrize(
    "name, data, message",
    [
        ("empty.csv", b"", "The file is empty"),
        ("blank.csv", b"\n \r\n\t\n", "only blank space"),
        ("page.csv", b"<!DOCTYPE html><html><body>Sign in</body></html>", "looks like a web page"),
        ("doc.csv", b"%PDF-1.4 ...", "looks like a PDF"),
        ("sheet.csv", b"PK\x03\x04rest", "zip archive or spreadsheet"),
        ("long.csv", b"a,b\n1," + b"x" * (1100 * 1024) + b"\n", "line longer than 1024 KB"),
        ("noeol.csv", b"a,b," * 400_000, "line longer than"),
        ("damaged.xlsx", b"PK\x03\x04not really a zip", "damaged"),
        ("text.xlsx", b"a,b\n1,2\n", "not a spreadsheet"),
    ],
)
def test_preflight_refuses_hostile_files(
    tmp_path: Path, name: str, data: bytes, message: str
) -> None:
    fmt = name.rsplit(".", 1)[1]
    with pytest.raises(jobs.Problem, match=message):
        jobs.preflight(_write(tmp_path, name, data), fmt)


def test_zip_bomb_refused_before_parsing(tmp_path: Path) -> None:
    path = tmp_path / "bomb.xlsx"
    with zipfile.ZipFile(path, "w", compression=zipfile.ZIP_DEFLATED) as zf:
        zf.writestr("[Content_Types].xml", "<Types/>")
        with zf.open("xl/worksheets/sheet1.xml", "w", force_zip64=True) as member:
            chunk = b"0" * (1 << 20)
            for _ in range(1100):  # 1.1 GB of zeros, a few MB compressed
                member.write(chunk)
    assert path.stat().st_size < 5_000_000
    with pytest.raises(jobs.Problem, match="possible zip bomb"):
        jobs.preflight(str(path), "xlsx")


def test_bad_encoding_is_an_error_not_a_crash(tmp_path: Path) -> None:
    data = b"a,b\n" + b"1,ok\n" * 20000 + b"2,\xff\xfe\x80bad\n"
    outcome = jobs.check(_write(tmp_path, "enc.csv", data), "csv", None)
    assert outcome.status == "error" and "UTF-8" in (outcome.message or "")


def test_ragged_rows_are_reported_by_row(tmp_path: Path) -> None:
    outcome = jobs.check(_write(tmp_path, "rag.csv", b"a,b,c\n1,2\n1,2,3,4\n"), "csv", None)
    assert outcome.status == "failure"
    types = {(e["rowNumber"], e["type"]) for e in outcome.report["errors"]}
    assert types == {(2, "missing-cell"), (3, "extra-cell")}


def test_invalid_own_schema_is_a_clear_error() -> None:
    with pytest.raises(jobs.Problem, match="neither a link nor valid JSON"):
        jobs.choose_schema({"schema": "{not json"}, {})
    with pytest.raises(jobs.Problem, match='needs a "fields" list'):
        jobs.choose_schema({"schema": '{"columns": []}'}, {})
    schema, source, _ = jobs.choose_schema(
        {"schema": "https://portal.example/standard/business-rates"}, {}
    )
    assert source == "resource" and schema["fields"][0]["name"] == "property_reference"
    schema, source, note = jobs.choose_schema({}, {"conforms_to": ["https://elsewhere.org/spec"]})
    assert schema is None and source == "inferred" and "not a standard this portal knows" in note
    _, source, _ = jobs.choose_schema({}, {"conforms_to": [standards.uri("fuel-poverty-risk")]})
    assert source == "standard:fuel-poverty-risk"


def test_tabular_formats() -> None:
    assert jobs.tabular_format({"format": "CSV"}) == "csv"
    assert jobs.tabular_format({"format": "text/csv"}) == "csv"
    assert jobs.tabular_format({"format": "", "url": "https://x.org/a.xlsx?x=1"}) == "xlsx"
    assert jobs.tabular_format({"format": "PDF", "url": "https://x.org/a.csv"}) is None


@pytest.mark.parametrize("path", ["/data.csv", "/slow-headers"])
def test_fetch_deadline_cuts_off_a_trickling_server(path: str) -> None:
    # one byte a second never trips the 5 s per-read timeout; the 2 s deadline must still hold
    from tests.validation.slow_server import trickling_server

    with trickling_server(interval=0.5) as base:
        started = time.monotonic()
        buf = io.BytesIO()
        with pytest.raises(fetch.FetchRefused) as err:
            fetch.fetch(
                base + path, buf, max_bytes=100_000, timeout=5, deadline=2, allow_private=True
            )
        elapsed = time.monotonic() - started
    assert "took longer than 2 seconds" in err.value.reason
    assert 1.9 <= elapsed < 3.5, elapsed
    assert len(buf.getvalue()) < 10  # a few trickled bytes at most, never the whole body

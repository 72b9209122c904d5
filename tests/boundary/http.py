"""Real HTTP to the test app, with JSON bodies exactly as a client sends them.

``json.dumps`` writes a lone surrogate as the escape ``\\ud800`` and a non-finite float as
``NaN``/``Infinity``: what careless or hostile clients send, and what CKAN's JSON reader accepts.
"""

from __future__ import annotations

import json
from typing import Any


def api(app: Any, action: str, data: Any, token: str | None = None) -> tuple[int, Any]:
    headers = {"Content-Type": "application/json"}
    if token:
        headers["Authorization"] = token
    res = app.post(f"/api/3/action/{action}", data=json.dumps(data), headers=headers)
    try:
        body = json.loads(res.body)
    except ValueError:
        body = res.body
    return res.status_code, body


def get(app: Any, url: str, token: str | None = None) -> Any:
    headers = {"Authorization": token} if token else {}
    return app.get(url, headers=headers)

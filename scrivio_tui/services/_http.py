"""What the COV and portal clients share: one httpx client with the bearer token, closing, health."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, Self

import httpx


class BearerClient:
    """An httpx client for one outside service: base URL, bearer token, timeouts; a context manager."""

    def __init__(self, base_url: str, token: str, *, timeout: httpx.Timeout,
                 extra_headers: Mapping[str, str] | None = None,
                 transport: httpx.BaseTransport | None = None) -> None:
        self._base_url = base_url.rstrip("/")
        headers = {"Authorization": f"Bearer {token}", "Accept": "application/json"}
        headers.update(extra_headers or {})
        self._http = httpx.Client(timeout=timeout, headers=headers, transport=transport)

    def close(self) -> None:
        self._http.close()

    def __enter__(self) -> Self:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def _healthy(self, path: str) -> bool:
        """True when GET {base}{path} answers 200 (no retries)."""
        try:
            return self._http.get(f"{self._base_url}{path}").status_code == 200
        except httpx.HTTPError:
            return False


def json_or_none(response: httpx.Response) -> dict[str, Any] | None:
    """The JSON object of a response, or None when the body is not one."""
    try:
        data = response.json()
    except ValueError:
        return None
    return data if isinstance(data, dict) else None


def error_code(payload: dict[str, Any] | None) -> str | None:
    """``error.code`` of the shared error body (dutch-standards §5.4), when present."""
    error = payload.get("error") if payload else None
    if isinstance(error, dict) and isinstance(error.get("code"), str):
        return str(error["code"])
    return None


def retry_after_seconds(response: httpx.Response) -> float | None:
    """Seconds from a ``Retry-After`` header (delta-seconds form only), or None."""
    value = response.headers.get("Retry-After")
    if value is None:
        return None
    try:
        seconds = float(value.strip())
    except ValueError:
        return None
    return seconds if seconds >= 0 else None

"""What the COV and portal clients share: one httpx client with the bearer token, closing, health."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Self

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

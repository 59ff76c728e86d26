"""The only module that touches keyring: the COV and portal tokens live in the OS keyring.

Secret values are never logged or put in exception messages; only their names are.
"""

from __future__ import annotations

import logging
from typing import Any

__all__ = [
    "KNOWN_SECRETS",
    "SERVICE_NAME",
    "SecretsUnavailable",
    "backend_name",
    "delete_secret",
    "get_secret",
    "set_secret",
]

log = logging.getLogger(__name__)

SERVICE_NAME = "scrivio-tui"
COV_TOKEN = "cov-token"
PORTAL_TOKEN = "portal-token"
KNOWN_SECRETS: tuple[str, ...] = (COV_TOKEN, PORTAL_TOKEN)

_HOW_TO_FIX = (
    "No usable keyring backend was found, so scrivio-tui cannot store or read its tokens. "
    "Install a Secret Service provider (gnome-keyring or KWallet) and make sure it is unlocked, "
    "or `pip install keyrings.alt` and set PYTHON_KEYRING_BACKEND=keyrings.alt.file.EncryptedKeyring "
    "(or PlaintextKeyring, for test machines only)."
)


class SecretsUnavailable(RuntimeError):
    """No usable keyring backend (or it refused access); the message says what to install."""

    def __init__(self, detail: str | None = None) -> None:
        message = _HOW_TO_FIX if detail is None else f"{_HOW_TO_FIX} ({detail})"
        super().__init__(message)


def _check_name(name: str) -> None:
    if name not in KNOWN_SECRETS:
        raise ValueError(f"unknown secret name {name!r}; known: {', '.join(KNOWN_SECRETS)}")


def _backend() -> Any:
    """The active keyring backend; raises SecretsUnavailable for keyring's ``fail.Keyring``."""
    import keyring
    from keyring.backends import fail

    backend = keyring.get_keyring()
    if isinstance(backend, fail.Keyring):
        raise SecretsUnavailable()
    return backend


def _unavailable(error: Exception) -> SecretsUnavailable:
    # Only the exception type: a backend message could in theory echo what it was given.
    return SecretsUnavailable(f"{type(error).__name__} from the keyring backend")


def backend_name() -> str:
    """A readable name of the active backend (for the settings screen), e.g. ``SecretService Keyring``."""
    backend = _backend()
    return str(getattr(backend, "name", type(backend).__name__))


def get_secret(name: str) -> str | None:
    """The stored value, or None when nothing is stored under ``name``."""
    _check_name(name)
    from keyring.errors import KeyringError

    backend = _backend()
    try:
        value = backend.get_password(SERVICE_NAME, name)
    except KeyringError as error:
        raise _unavailable(error) from None
    return None if value is None else str(value)


def set_secret(name: str, value: str) -> None:
    """Store (or replace) ``value`` under ``name``; an empty value is refused."""
    _check_name(name)
    if not value:
        raise ValueError(f"refusing to store an empty {name}; use delete_secret to remove it")
    from keyring.errors import KeyringError, PasswordSetError

    backend = _backend()
    try:
        backend.set_password(SERVICE_NAME, name, value)
    except (PasswordSetError, KeyringError) as error:
        raise _unavailable(error) from None
    log.info("stored secret %s in the keyring", name)


def delete_secret(name: str) -> bool:
    """Remove ``name``; True when something was deleted, False when nothing was stored."""
    _check_name(name)
    from keyring.errors import KeyringError, PasswordDeleteError

    backend = _backend()
    try:
        backend.delete_password(SERVICE_NAME, name)
    except PasswordDeleteError:
        return False
    except KeyringError as error:
        raise _unavailable(error) from None
    log.info("deleted secret %s from the keyring", name)
    return True

"""secrets.py against an isolated file keyring, and against keyring's fail backend."""

from __future__ import annotations

import logging
from collections.abc import Iterator
from pathlib import Path

import keyring
import pytest
from keyring.backend import KeyringBackend
from keyring.backends import fail
from keyring.errors import KeyringLocked
from keyrings.alt.file import PlaintextKeyring

from scrivio_tui import secrets
from scrivio_tui.secrets import SecretsUnavailable


@pytest.fixture
def use_keyring() -> Iterator[None]:
    previous = keyring.get_keyring()
    yield
    keyring.set_keyring(previous)


@pytest.fixture
def file_keyring(tmp_path: Path, use_keyring: None) -> PlaintextKeyring:
    backend = PlaintextKeyring()
    backend.file_path = str(tmp_path / "keyring.cfg")
    keyring.set_keyring(backend)
    return backend


def test_set_get_delete(file_keyring: PlaintextKeyring, caplog: pytest.LogCaptureFixture) -> None:
    caplog.set_level(logging.DEBUG)
    assert secrets.get_secret("cov-token") is None
    secrets.set_secret("cov-token", "s3cr3t-value")
    secrets.set_secret("portal-token", "other-value")
    assert secrets.get_secret("cov-token") == "s3cr3t-value"
    assert file_keyring.get_password("scrivio-tui", "portal-token") == "other-value"
    secrets.set_secret("cov-token", "replaced")
    assert secrets.get_secret("cov-token") == "replaced"
    assert secrets.delete_secret("cov-token") is True
    assert secrets.delete_secret("cov-token") is False
    assert secrets.get_secret("cov-token") is None
    assert secrets.get_secret("portal-token") == "other-value"
    assert "s3cr3t" not in caplog.text and "replaced" not in caplog.text
    assert "cov-token" in caplog.text


def test_unknown_name_and_empty_value_are_refused(file_keyring: PlaintextKeyring) -> None:
    with pytest.raises(ValueError, match="unknown secret name"):
        secrets.get_secret("cov_token")
    with pytest.raises(ValueError, match="empty"):
        secrets.set_secret("cov-token", "")


def test_backend_name(file_keyring: PlaintextKeyring) -> None:
    assert "Plaintext" in secrets.backend_name() or "plaintext" in secrets.backend_name().lower()


def test_fail_backend_gives_a_clear_message(use_keyring: None) -> None:
    keyring.set_keyring(fail.Keyring())
    for call in (
        lambda: secrets.get_secret("cov-token"),
        lambda: secrets.set_secret("cov-token", "v"),
        lambda: secrets.delete_secret("cov-token"),
        secrets.backend_name,
    ):
        with pytest.raises(SecretsUnavailable) as info:
            call()
        text = str(info.value)
        assert "No usable keyring backend" in text
        assert "gnome-keyring" in text and "KWallet" in text
        assert "pip install keyrings.alt" in text and "PYTHON_KEYRING_BACKEND" in text


class LockedKeyring(KeyringBackend):
    priority = 1

    def get_password(self, service: str, username: str) -> str | None:
        raise KeyringLocked("locked")

    def set_password(self, service: str, username: str, password: str) -> None:
        raise KeyringLocked(f"cannot store {password}")

    def delete_password(self, service: str, username: str) -> None:
        raise KeyringLocked("locked")


def test_backend_errors_become_secrets_unavailable_without_the_value(use_keyring: None) -> None:
    keyring.set_keyring(LockedKeyring())
    with pytest.raises(SecretsUnavailable, match="KeyringLocked"):
        secrets.get_secret("portal-token")
    with pytest.raises(SecretsUnavailable) as info:
        secrets.set_secret("portal-token", "very-secret")
    assert "very-secret" not in str(info.value) and info.value.__cause__ is None
    with pytest.raises(SecretsUnavailable):
        secrets.delete_secret("portal-token")

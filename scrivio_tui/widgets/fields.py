"""A labelled field with its error line underneath: the unit every form is built from."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from typing import Any

from textual.app import ComposeResult
from textual.containers import Vertical
from textual.validation import ValidationResult, Validator
from textual.widget import Widget
from textual.widgets import Checkbox, Input, Label, Select, Static


class Normaliser(Validator):
    """Wrap one of the schema normalisers (BSN, postcode, IBAN…) as a Textual validator, so a field
    can say what is wrong the moment the person leaves it; the service validates again on save."""

    def __init__(self, normalise: Callable[[str], object]) -> None:
        super().__init__()
        self._normalise = normalise

    def validate(self, value: str) -> ValidationResult:
        if not value.strip():
            return self.success()
        try:
            self._normalise(value)
        except ValueError as exc:
            return self.failure(str(exc))
        return self.success()


CURSOR_BLINK = True  # tests turn it off so snapshots never catch the cursor mid-blink


def kebab(name: str) -> str:
    return name.replace("_", "-")


class Field(Vertical):
    """Label, control and error line; the control's id is the spec field name in kebab-case."""

    DEFAULT_CSS = """
    Field { height: auto; margin: 0 1 0 0; }
    Field > Label { color: $text-muted; padding: 0 1; }
    Field > .field-error { color: $error; height: auto; padding: 0 1; }
    Field > .field-error.-empty { display: none; }
    Field.-required > Label { color: $text; }
    """

    def __init__(self, label: str, control: Widget, *, required: bool = False, help: str = "",
                 id: str | None = None) -> None:
        super().__init__(id=id or f"{control.id}-field", classes="-required" if required else "")
        self.label_text = label + (" *" if required and label else "")
        self.control = control
        self.help = help

    def compose(self) -> ComposeResult:
        if self.label_text:
            yield Label(self.label_text)
        yield self.control
        yield Static("", id=f"{self.control.id}-error", classes="field-error -empty")

    def set_error(self, message: str | None) -> None:
        line = self.query_one(".field-error", Static)
        line.update(f"✗ {message}" if message else "")
        line.set_class(not message, "-empty")
        self.control.set_class(bool(message), "-invalid")


def text_field(name: str, label: str, *, required: bool = False, placeholder: str = "", value: str = "",
               normalise: Callable[[str], object] | None = None, password: bool = False,
               help: str = "") -> Field:
    validators = [Normaliser(normalise)] if normalise else None
    control = Input(value=value, placeholder=placeholder, id=kebab(name), password=password,
                    validators=validators, validate_on=["blur"])
    control.cursor_blink = CURSOR_BLINK
    return Field(label, control, required=required, help=help)


def select_field(name: str, label: str, options: Iterable[tuple[str, Any]], *, required: bool = False,
                 value: Any = None, prompt: str = "— choose —", help: str = "") -> Field:
    control: Select[Any] = Select(list(options), prompt=prompt, id=kebab(name),
                                  value=value if value is not None else Select.NULL)
    return Field(label, control, required=required, help=help)


def checkbox_field(name: str, label: str, *, value: bool = False, help: str = "") -> Field:
    return Field("", Checkbox(label, value=value, id=kebab(name)), help=help)


def control_value(widget: Widget) -> Any:
    """The raw value of a form control, as the input schemas expect it (blank → None)."""
    if isinstance(widget, Input):
        return widget.value
    if isinstance(widget, Select):
        return None if widget.value is Select.NULL or widget.is_blank() else widget.value
    if isinstance(widget, Checkbox):
        return widget.value
    raise TypeError(f"not a form control: {widget!r}")


def set_control_value(widget: Widget, value: Any) -> None:
    if isinstance(widget, Input):
        widget.value = "" if value is None else str(value)
    elif isinstance(widget, Select):
        widget.value = Select.NULL if value in (None, "") else value
    elif isinstance(widget, Checkbox):
        widget.value = bool(value)

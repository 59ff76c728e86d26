"""What every screen shares: safe service calls (no traceback ever reaches the screen), the header
line, and forms that show errors at the field and keep a draft as the person types."""

from __future__ import annotations

import logging
import uuid
from collections.abc import Callable
from typing import TYPE_CHECKING, Any, ClassVar, TypeVar

from textual.binding import Binding, BindingType
from textual.screen import ModalScreen, Screen
from textual.widget import Widget
from textual.widgets import Checkbox, Input, Select

from scrivio_tui.i18n import _
from scrivio_tui.widgets.fields import Field, control_value, set_control_value

if TYPE_CHECKING:  # the store and services load after the first paint (DESIGN: start fast)
    from scrivio_tui.app import ScrivioApp
    from scrivio_tui.services.base import Actor, Result
    from scrivio_tui.store.db import Database

log = logging.getLogger("scrivio_tui.ui")
T = TypeVar("T")
DRAFT_DEBOUNCE = 0.4


class ServiceCalls:
    """Mixin for screens: the app's database and actor, and calls that never crash the screen."""

    @property
    def scrivio(self) -> ScrivioApp:
        return self.app  # type: ignore[attr-defined, no-any-return]

    @property
    def db(self) -> Database:
        return self.scrivio.db

    @property
    def actor(self) -> Actor:
        actor = self.scrivio.actor
        assert actor is not None, "signed in"
        return actor

    def call(self, fn: Callable[..., Result[T]], *args: Any, **kwargs: Any) -> Result[T]:
        """Run a service; an unexpected error is logged with a reference and shown as one calm line."""
        from scrivio_tui.services.base import Result

        try:
            return fn(*args, **kwargs)
        except Exception:
            ref = uuid.uuid4().hex[:8]
            log.exception("unexpected error in %s (ref %s)", getattr(fn, "__name__", fn), ref)
            message = _("Something went wrong (ref {ref}). Nothing you typed is lost; try again or "
                        "call support with the reference.").format(ref=ref)
            self.scrivio.notify(message, severity="error", timeout=10)
            return Result(errors={"__all__": message}, message=message)

    def report(self, result: Result[Any], success: str | None = None) -> None:
        """Toast the outcome: saved / refused / what to fix."""
        if result.denied:
            self.scrivio.notify(result.message, severity="error", title=_("Not allowed"))
        elif result.ok:
            self.scrivio.notify(success or result.message or _("Saved."), title=_("Saved"))
            for msg in result.warnings.values():
                self.scrivio.notify(msg, severity="warning", timeout=8)


class BaseScreen(ServiceCalls, Screen[Any]):
    """A full screen with the standard keys."""

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("escape", "back", _("Back"), id="back"),
        Binding("f1", "help", _("Help"), id="help"),
    ]
    HELP = ""

    def action_back(self) -> None:
        if len(self.app.screen_stack) > 2:
            self.app.pop_screen()

    def action_help(self) -> None:
        from scrivio_tui.screens.help import HelpScreen

        self.app.push_screen(HelpScreen(self))


class FormMixin(ServiceCalls):
    """Collect values from the Field controls, show per-field errors, keep a draft while typing.

    Subclasses set draft_kind (and draft_client / draft_object) to have their input kept."""

    draft_kind: str = ""
    draft_client: int = 0
    draft_object: int = 0
    draft_title: str = ""
    _draft_timer: Any = None
    dirty: bool = False
    _loading: bool = False

    def form_controls(self) -> dict[str, Widget]:
        root: Widget = self  # type: ignore[assignment]
        return {f.control.id.replace("-", "_"): f.control for f in root.query(Field) if f.control.id}

    def form_values(self) -> dict[str, Any]:
        return {name: control_value(w) for name, w in self.form_controls().items()}

    def load_values(self, values: dict[str, Any]) -> None:
        self._loading = True
        try:
            controls = self.form_controls()
            for name, value in values.items():
                if name in controls:
                    set_control_value(controls[name], value)
        finally:
            self._loading = False

    def show_errors(self, errors: dict[str, str]) -> None:
        """Each message under its field; focus the first field in error (UX principle 3)."""
        root: Widget = self  # type: ignore[assignment]
        first: Widget | None = None
        for f in root.query(Field):
            name = (f.control.id or "").replace("-", "_")
            f.set_error(errors.get(name))
            if name in errors and first is None:
                first = f.control
        general = errors.get("__all__")
        if general:
            self.scrivio.notify(general, severity="error")
        if first is not None:
            first.focus()
        elif errors and not general:
            self.scrivio.notify(next(iter(errors.values())), severity="error")

    def clear_errors(self) -> None:
        self.show_errors({})

    # -- drafts
    def on_input_changed(self, event: Input.Changed) -> None:
        self._changed()

    def on_select_changed(self, event: Select.Changed) -> None:
        self._changed()

    def on_checkbox_changed(self, event: Checkbox.Changed) -> None:
        self._changed()

    def _changed(self) -> None:
        if self._loading or not self.draft_kind:
            return
        self.dirty = True
        if self._draft_timer is not None:
            self._draft_timer.stop()
        root: Widget = self  # type: ignore[assignment]
        self._draft_timer = root.set_timer(DRAFT_DEBOUNCE, self.keep_draft)

    def draft_data(self) -> dict[str, Any]:
        return self.form_values()

    def keep_draft(self) -> None:
        if not self.draft_kind or not self.dirty:
            return
        from scrivio_tui.services import drafts

        try:
            drafts.save_draft(self.db, self.actor, self.draft_kind, self.draft_data(),
                              client_id=self.draft_client, object_id=self.draft_object, title=self.draft_title)
        except Exception:
            log.exception("could not keep draft")

    def discard_draft(self) -> None:
        if self._draft_timer is not None:
            self._draft_timer.stop()
        self.dirty = False
        if self.draft_kind:
            from scrivio_tui.services import drafts
            from scrivio_tui.services.base import Result

            def discard() -> Result[None]:
                drafts.discard_draft(self.db, self.actor, self.draft_kind, client_id=self.draft_client,
                                     object_id=self.draft_object)
                return Result()

            self.call(discard)

    def on_descendant_blur(self, event: Any) -> None:
        """Say what is wrong as soon as the person leaves a field (the validator of that Input)."""
        widget = event.widget
        if isinstance(widget, Input) and widget.validators and isinstance(widget.parent, Field):
            result = widget.validate(widget.value)
            if result is not None:
                widget.parent.set_error(None if result.is_valid else result.failure_descriptions[0])


class FormScreen(FormMixin, BaseScreen):
    """A full-screen form: ctrl+s / F2 save; escape keeps the input as a draft."""

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("ctrl+s", "save", _("Save"), id="save", priority=True),
        Binding("f2", "save", _("Save"), show=False, id="save_alt", priority=True),
        Binding("escape", "back", _("Back (keeps draft)"), id="back"),
        Binding("f1", "help", _("Help"), id="help"),
    ]

    def action_save(self) -> None:
        raise NotImplementedError

    def action_back(self) -> None:
        if self.dirty:
            self.keep_draft()
            self.scrivio.notify(_("Your input is kept as a draft."), title=_("Draft kept"))
        self.app.pop_screen()


class FormModal(FormMixin, ModalScreen[Any]):
    """A dialog form: ctrl+s / F2 save, escape cancels (keeping a draft where the dialog has one)."""

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("ctrl+s", "save", _("Save"), id="save", priority=True),
        Binding("f2", "save", _("Save"), show=False, id="save_alt", priority=True),
        Binding("escape", "cancel", _("Cancel"), id="cancel"),
    ]

    def action_save(self) -> None:
        raise NotImplementedError

    def action_cancel(self) -> None:
        if self.dirty:
            self.keep_draft()
        self.dismiss(None)

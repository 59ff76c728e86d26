"""Input schemas: one per form, holding the validators. Messages are written for reception staff.

Forms hand in the raw strings as typed; the schema normalises them (BSN, postcode, IBAN, phone, email,
DD-MM-YYYY dates) or raises a message naming what is wrong and how to fix it.
"""

from __future__ import annotations

import re
from datetime import date, timedelta
from typing import Any

import phonenumbers
from email_validator import EmailNotValidError, validate_email
from pydantic import BaseModel, ConfigDict, ValidationError, field_validator, model_validator
from stdnum import iban as stdnum_iban
from stdnum.exceptions import InvalidChecksum, InvalidComponent, InvalidFormat, InvalidLength
from stdnum.exceptions import ValidationError as StdnumError
from stdnum.nl import bsn as stdnum_bsn
from stdnum.nl import postcode as stdnum_postcode

from scrivio_tui import clock, refdata
from scrivio_tui.i18n import _

_DATE_PATTERNS = (
    re.compile(r"^(?P<d>\d{1,2})[-/. ](?P<m>\d{1,2})[-/. ](?P<y>\d{4})$"),
    re.compile(r"^(?P<d>\d{2})(?P<m>\d{2})(?P<y>\d{4})$"),
    re.compile(r"^(?P<y>\d{4})-(?P<m>\d{2})-(?P<d>\d{2})$"),
)


def today() -> date:
    """Today's date (scrivio_tui.clock, so tests and snapshots can freeze it)."""
    return clock.today()


def parse_date(value: str | date | None) -> date | None:
    """Dates as Dutch staff type them: 12-03-1985, 12/3/1985, 12031985 (ISO also accepted)."""
    if value is None or isinstance(value, date):
        return value
    text = value.strip()
    if not text:
        return None
    for pattern in _DATE_PATTERNS:
        m = pattern.match(text)
        if m:
            try:
                return date(int(m["y"]), int(m["m"]), int(m["d"]))
            except ValueError:
                raise ValueError(_("{value} is not a date in the calendar").format(value=text)) from None
    raise ValueError(_("Type the date as DD-MM-YYYY, e.g. 12-03-1985"))


def format_date(value: date | None) -> str:
    """DD-MM-YYYY, as staff read and type dates."""
    return value.strftime("%d-%m-%Y") if value else ""


def normalise_bsn(value: str) -> str:
    """Nine digits that pass the 11-test; spaces and dots removed, a lost digit never zero-filled."""
    digits = re.sub(r"[\s.\-]", "", value)
    if not digits.isdigit():
        raise ValueError(_("BSN has only digits — check what was typed"))
    if len(digits) != 9:
        raise ValueError(_("BSN has 9 digits; this has {n}").format(n=len(digits)))
    if digits == "999999999":
        raise ValueError(_("999999999 is the placeholder for an unknown BSN, not a client's BSN"))
    try:
        return str(stdnum_bsn.validate(digits))
    except InvalidChecksum:
        raise ValueError(_("BSN fails the 11-test — check the digits")) from None
    except StdnumError:
        raise ValueError(_("BSN is not valid — check the digits")) from None


def normalise_postcode(value: str) -> str:
    try:
        return str(stdnum_postcode.validate(value))
    except InvalidComponent:
        raise ValueError(_("Postcode letters SA, SD and SS are never used — check the letters")) from None
    except (InvalidFormat, InvalidLength):
        if re.fullmatch(r"\s*0\d{3}\s*[A-Za-z]{2}\s*", value):
            raise ValueError(_("A Dutch postcode never starts with 0")) from None
        raise ValueError(_("Postcode looks like 1234 AB")) from None
    except StdnumError:
        raise ValueError(_("Postcode looks like 1234 AB")) from None


def normalise_iban(value: str) -> str:
    compact = str(stdnum_iban.compact(value))
    expected = _IBAN_LENGTHS.get(compact[:2])
    if expected and len(compact) != expected:
        raise ValueError(_("IBAN has the wrong length: {n} characters, a {cc} IBAN has {expected}").format(
            n=len(compact), cc=compact[:2], expected=expected))
    try:
        return str(stdnum_iban.validate(value))
    except InvalidChecksum:
        raise ValueError(_("IBAN check digits do not match — check for a typing error")) from None
    except InvalidLength:
        raise ValueError(_("IBAN has the wrong length for its country (NL: 18 characters)")) from None
    except StdnumError:
        raise ValueError(_("IBAN looks like NL91 ABNA 0417 1643 00")) from None


_IBAN_LENGTHS = {"NL": 18, "BE": 16, "DE": 22, "FR": 27, "LU": 20, "GB": 22, "ES": 24, "IT": 27, "AT": 20}


def format_iban(value: str) -> str:
    return " ".join(value[i : i + 4] for i in range(0, len(value), 4))


def normalise_phone(value: str) -> str:
    """E.164; Dutch numbers may be typed nationally (06-12345678); service numbers are refused."""
    try:
        number = phonenumbers.parse(value, "NL")
    except phonenumbers.NumberParseException:
        raise ValueError(_("Phone number is not a number, e.g. 06 12345678 or +31 20 1234567")) from None
    if not phonenumbers.is_valid_number(number):
        raise ValueError(_("Phone number has the wrong number of digits — check it")) from None
    kind = phonenumbers.number_type(number)
    if kind in (phonenumbers.PhoneNumberType.TOLL_FREE, phonenumbers.PhoneNumberType.PREMIUM_RATE,
                phonenumbers.PhoneNumberType.SHARED_COST):
        raise ValueError(_("0800/0900 service numbers cannot be a client's phone number"))
    return str(phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164))


def format_phone(value: str | None) -> str:
    if not value:
        return ""
    try:
        number = phonenumbers.parse(value, "NL")
    except phonenumbers.NumberParseException:
        return value
    fmt = phonenumbers.PhoneNumberFormat.NATIONAL if number.country_code == 31 else (
        phonenumbers.PhoneNumberFormat.INTERNATIONAL)
    return str(phonenumbers.format_number(number, fmt))


def normalise_email(value: str) -> str:
    try:
        return str(validate_email(value, check_deliverability=False).normalized)
    except EmailNotValidError as exc:
        raise ValueError(_("Email address is not valid: {why}").format(why=str(exc).rstrip("."))) from None


def _blank_to_none(value: Any) -> Any:
    if isinstance(value, str):
        value = value.strip()
        return value or None
    return value


class _Input(BaseModel):
    model_config = ConfigDict(str_strip_whitespace=True, extra="forbid", validate_default=True)

    @field_validator("*", mode="before")
    @classmethod
    def _blank(cls, value: Any) -> Any:
        return _blank_to_none(value)


def field_errors(exc: ValidationError) -> dict[str, str]:
    """Pydantic errors as {field name: first message}, in the person's words."""
    errors: dict[str, str] = {}
    for err in exc.errors():
        loc = err["loc"][0] if err["loc"] else "__all__"
        msg = str(err["msg"]).removeprefix("Value error, ").removeprefix("Assertion failed, ")
        if err["type"] == "missing" or (err["type"] == "date_type" and err.get("input") is None):
            msg = _("Required")
        errors.setdefault(str(loc), msg)
    return errors


def _required(value: Any) -> Any:
    if value is None:
        raise ValueError(_("Required"))
    return value


def _required_id(value: Any) -> int:
    """A choice from a list (stored as an id): blank is 'Required', anything else must be a number."""
    value = _required(_blank_to_none(value))
    try:
        return int(value)
    except (TypeError, ValueError):
        raise ValueError(_("Choose one of the listed values")) from None


# ---------------------------------------------------------------- client


class ClientInput(_Input):
    """New client / edit personal details (spec §2.2)."""

    first_name: str | None = None
    last_name_prefix: str | None = None
    last_name: str | None = None
    date_of_birth: date | None = None
    bsn: str | None = None
    gender: str | None = None
    email: str | None = None
    phone: str | None = None
    street: str | None = None
    house_number: str | None = None
    postcode: str | None = None
    city: str | None = None

    @field_validator("first_name", "last_name")
    @classmethod
    def _name(cls, v: str | None) -> str:
        return str(_required(v))

    @field_validator("last_name_prefix")
    @classmethod
    def _prefix(cls, v: str | None) -> str | None:
        return v.lower() if v else v

    @field_validator("date_of_birth", mode="before")
    @classmethod
    def _dob_parse(cls, v: Any) -> date | None:
        return parse_date(v)

    @field_validator("date_of_birth")
    @classmethod
    def _dob(cls, v: date | None) -> date:
        d: date = _required(v)
        if d > today():
            raise ValueError(_("Date of birth is in the future"))
        if d < today() - timedelta(days=int(365.25 * 120)):
            raise ValueError(_("Date of birth is more than 120 years ago — check the year"))
        return d

    @field_validator("bsn")
    @classmethod
    def _bsn(cls, v: str | None) -> str | None:
        return normalise_bsn(v) if v else None

    @field_validator("gender")
    @classmethod
    def _gender(cls, v: str | None) -> str | None:
        if v and v not in {g.code for g in refdata.genders()}:
            raise ValueError(_("Choose one of the listed values"))
        return v

    @field_validator("email")
    @classmethod
    def _email(cls, v: str | None) -> str | None:
        return normalise_email(v) if v else None

    @field_validator("phone")
    @classmethod
    def _phone(cls, v: str | None) -> str | None:
        return normalise_phone(v) if v else None

    @field_validator("postcode")
    @classmethod
    def _postcode(cls, v: str | None) -> str | None:
        return normalise_postcode(v) if v else None

    @field_validator("house_number")
    @classmethod
    def _house_number(cls, v: str | None) -> str | None:
        if v and not re.match(r"^\d{1,5}(\s?[-A-Za-z0-9 ]{0,8})?$", v):
            raise ValueError(_("House number starts with digits, e.g. 12 or 12-A"))
        return v

    @model_validator(mode="after")
    def _address_complete(self) -> ClientInput:
        parts = {"street": self.street, "house_number": self.house_number,
                 "postcode": self.postcode, "city": self.city}
        if any(parts.values()):
            missing = [k for k, v in parts.items() if not v]
            if missing:
                raise ValueError(f"{missing[0]}:" + _("Needed for a complete address"))
        return self


# ---------------------------------------------------------------- care trajectory


NO_AGB_REFERRER_TYPES = {"04", "05", "06", "07"}


class TrajectoryInput(_Input):
    """Start a care trajectory (spec §5.2) with optional diagnosis, profile and referral."""

    setting: str | None = None
    start_date: date | None = None
    lead_practitioner: int | None = None
    name: str | None = None
    dsm5_diagnosis: str | None = None
    basic_ggz_profile: str | None = None
    referrer_type: str | None = None
    referrer_name: str | None = None
    referrer_agb: str | None = None
    referral_date: date | None = None
    letter_on_file: bool = False

    @field_validator("start_date", "referral_date", mode="before")
    @classmethod
    def _dates(cls, v: Any) -> date | None:
        return parse_date(v)

    @field_validator("setting")
    @classmethod
    def _setting(cls, v: str | None) -> str:
        code = str(_required(v))
        if code not in {s.code for s in refdata.settings()}:
            raise ValueError(_("Choose a setting from the NZa list"))
        return code

    @field_validator("start_date")
    @classmethod
    def _start(cls, v: date | None) -> date:
        d: date = _required(v)
        if d > today() + timedelta(days=365):
            raise ValueError(_("Start date is more than a year ahead — check the year"))
        return d

    @field_validator("lead_practitioner", mode="before")
    @classmethod
    def _lead(cls, v: Any) -> int:
        return _required_id(v)

    @field_validator("dsm5_diagnosis")
    @classmethod
    def _dsm(cls, v: str | None) -> str | None:
        if v and v not in {c.code for c in refdata.dsm5_groups()}:
            raise ValueError(_("Choose a DSM-5 main group from the list"))
        return v

    @field_validator("basic_ggz_profile")
    @classmethod
    def _profile(cls, v: str | None) -> str | None:
        if v and v not in {c.code for c in refdata.basic_ggz_profiles()}:
            raise ValueError(_("Choose a basic GGZ profile from the list"))
        return v

    @field_validator("referrer_agb")
    @classmethod
    def _agb(cls, v: str | None) -> str | None:
        if v and not re.fullmatch(r"\d{8}", v):
            raise ValueError(_("AGB code has 8 digits"))
        return v

    @model_validator(mode="after")
    def _referral(self) -> TrajectoryInput:
        given = any((self.referrer_name, self.referrer_agb, self.referral_date))
        if given and not self.referrer_type:
            raise ValueError("referrer_type:" + _("Choose the referrer type for this referral"))
        if self.referrer_type:
            if self.referrer_type not in {c.code for c in refdata.referrer_types()}:
                raise ValueError("referrer_type:" + _("Choose a referrer type from the list"))
            needs_agb = self.referrer_type not in NO_AGB_REFERRER_TYPES
            if needs_agb and not self.referrer_agb:
                raise ValueError("referrer_agb:" + _("AGB code of the referrer is required for this type"))
            if needs_agb and not self.referrer_name:
                raise ValueError("referrer_name:" + _("Name of the referrer is required"))
            if self.referrer_type == "01" and self.referrer_agb and not self.referrer_agb.startswith("01"):
                raise ValueError("referrer_agb:" + _("A GP's AGB code starts with 01"))
            if self.referral_date and self.start_date and self.referral_date > self.start_date:
                raise ValueError("referral_date:" + _("Referral date is after the trajectory start"))
        return self

    def referral_warnings(self) -> dict[str, str]:
        """Non-blocking notes: a referral older than 275 days at the start (insurers' usual validity)."""
        if self.referral_date and self.start_date and (self.start_date - self.referral_date).days > 275:
            return {"referral_date": _("Referral is more than 9 months old at the start: check its validity")}
        return {}


# ---------------------------------------------------------------- financing


INSURANCE_TYPES = ("basic", "supplementary")


class PolicyInput(_Input):
    """One insurance policy (spec §7.4)."""

    insurer: str | None = None
    policy_number: str | None = None
    insurance_type: str | None = "basic"
    valid_from: date | None = None
    valid_until: date | None = None

    @field_validator("valid_from", "valid_until", mode="before")
    @classmethod
    def _dates(cls, v: Any) -> date | None:
        return parse_date(v)

    @field_validator("insurer")
    @classmethod
    def _insurer(cls, v: str | None) -> str:
        code = str(_required(v))
        if not re.fullmatch(r"\d{4}", code):
            raise ValueError(_("UZOVI code has 4 digits, e.g. 3311"))
        return code

    @field_validator("policy_number")
    @classmethod
    def _number(cls, v: str | None) -> str:
        number = str(_required(v))
        if re.search(r"\s", number):
            raise ValueError(_("Policy number has no spaces"))
        return number

    @field_validator("insurance_type")
    @classmethod
    def _type(cls, v: str | None) -> str:
        kind = v or "basic"
        if kind not in INSURANCE_TYPES:
            raise ValueError(_("Insurance type is basic or supplementary"))
        return kind

    @field_validator("valid_from")
    @classmethod
    def _from(cls, v: date | None) -> date:
        return _required(v)  # type: ignore[no-any-return]

    @model_validator(mode="after")
    def _period(self) -> PolicyInput:
        if self.valid_until and self.valid_from and self.valid_until < self.valid_from:
            raise ValueError("valid_until:" + _("Valid until is before valid from"))
        return self

    def warnings(self) -> dict[str, str]:
        if self.insurer and self.insurer not in {c.code for c in refdata.insurers()}:
            return {"insurer": _("UZOVI {code} is not in our insurer list — check it").format(code=self.insurer)}
        return {}


class FundingInput(_Input):
    """The funding choice and own-contribution payment details: saved together by ctrl+s (spec §7.3).

    The IBAN may be left blank when one is already stored (the form never shows it unmasked)."""

    funded_by_insurance: bool = False
    funded_by_own_contribution: bool = False
    iban: str | None = None
    account_holder: str | None = None

    @field_validator("iban")
    @classmethod
    def _iban(cls, v: str | None) -> str | None:
        return normalise_iban(v) if v else None

    @field_validator("account_holder")
    @classmethod
    def _holder(cls, v: str | None) -> str | None:
        if v and len(v) > 70:
            raise ValueError(_("Account holder is at most 70 characters (SEPA)"))
        return v

    @model_validator(mode="after")
    def _complete(self) -> FundingInput:
        if not (self.funded_by_insurance or self.funded_by_own_contribution):
            raise ValueError("funded_by_insurance:" + _("Tick at least one funding source"))
        if self.funded_by_own_contribution and not self.account_holder:
            raise ValueError("account_holder:" + _("Account holder is required for an own contribution"))
        return self


# ---------------------------------------------------------------- portal


class AssignFormInput(_Input):
    form_id: int | None = None
    due_date: date | None = None
    trajectory_id: int | None = None

    @field_validator("due_date", mode="before")
    @classmethod
    def _due_parse(cls, v: Any) -> date | None:
        return parse_date(v)

    @field_validator("form_id", mode="before")
    @classmethod
    def _form(cls, v: Any) -> int:
        return _required_id(v)

    @field_validator("due_date")
    @classmethod
    def _due(cls, v: date | None) -> date | None:
        if v and v < today():
            raise ValueError(_("Due date is in the past"))
        return v


def validate(schema: type[BaseModel], data: dict[str, Any]) -> tuple[Any, dict[str, str]]:
    """Run a schema: (model, {}) when valid, (None, {field: message}) when not.

    Cross-field validators name their field as 'field:message'; that prefix is routed to the field.
    """
    try:
        return schema.model_validate(data), {}
    except ValidationError as exc:
        errors: dict[str, str] = {}
        for key, msg in field_errors(exc).items():
            if key == "__all__" and ":" in msg and msg.split(":", 1)[0].isidentifier():
                key, msg = msg.split(":", 1)
            errors.setdefault(key, msg)
        return None, errors

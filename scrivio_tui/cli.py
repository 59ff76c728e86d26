"""`scrivio-tui` starts the terminal app; sub-commands serve administrators and scripts."""

from __future__ import annotations

import argparse
import getpass
import json
import sys
from collections.abc import Sequence
from datetime import date
from pathlib import Path
from typing import Any

from scrivio_tui.config import Settings, load_settings


def _read_secret(prompt: str) -> str:
    """A password or token from stdin (piped) or typed without echo."""
    if sys.stdin.isatty():
        return getpass.getpass(prompt)
    return sys.stdin.readline().rstrip("\n")


def _fail(message: str, code: int = 1) -> int:
    print(f"scrivio-tui: {message}", file=sys.stderr)
    return code


def _db(settings: Settings) -> Any:
    from scrivio_tui.store.db import Database

    db = Database(settings.effective_database_url)
    if settings.demo:
        from scrivio_tui.services import demo

        demo.seed(db)
    return db


def _sign_in(settings: Settings, db: Any, username: str | None) -> Any:
    from scrivio_tui.services import staff

    user = username or getpass.getuser()
    result = staff.authenticate(db, user, _read_secret(f"Password for {user}: "))
    if not result.ok:
        _fail(result.message or "sign-in failed")
        return None
    return result.value


def cmd_run(settings: Settings, args: argparse.Namespace) -> int:
    from scrivio_tui.app import ScrivioApp
    from scrivio_tui.logs import setup_logging

    setup_logging(settings.log_dir)
    app = ScrivioApp(settings, seed_demo=settings.demo, start_simulators=settings.demo)
    app.run()
    return app.return_code or 0


def cmd_staff_add(settings: Settings, args: argparse.Namespace) -> int:
    from scrivio_tui.services import staff
    from scrivio_tui.services.base import SYSTEM

    db = _db(settings)
    password = _read_secret("Password (at least 10 characters): ")
    result = staff.add_staff(db, SYSTEM, username=args.username, display_name=args.name or args.username,
                             password=password, role=args.role, is_practitioner=args.practitioner,
                             profession=args.profession, agb=args.agb)
    if not result.ok:
        return _fail("; ".join(f"{k}: {v}" for k, v in result.errors.items()))
    print(f"Account {args.username} created with role {args.role}.")
    return 0


def cmd_export(settings: Settings, args: argparse.Namespace) -> int:
    from scrivio_tui.services import export

    db = _db(settings)
    actor = _sign_in(settings, db, args.user)
    if actor is None:
        return 1
    client_id = export.find_client_id(db, args.client)
    if client_id is None:
        return _fail("no client with that id or BSN")
    result = export.export_client(db, actor, client_id)
    if not result.ok:
        return _fail(result.message)
    json.dump(result.value, sys.stdout, indent=2, ensure_ascii=False, default=str)
    print()
    return 0


def cmd_zvt_advise(settings: Settings, args: argparse.Namespace) -> int:
    from scrivio_tui.zorgvraag import cli_advise

    try:
        on = date.fromisoformat(args.date) if args.date else None
        out = cli_advise(args.group, args.scores, on, [settings.tables_dir])
    except ValueError as exc:
        return _fail(str(exc), 2)
    print(json.dumps(out, indent=2, ensure_ascii=False, default=str))
    return 0


def cmd_zvt_import(settings: Settings, args: argparse.Namespace) -> int:
    from scrivio_tui.zorgvraag import TableError, import_tables

    try:
        report = import_tables(Path(args.directory), settings.tables_dir, replace=args.replace)
    except TableError as exc:
        print("scrivio-tui: the tables were NOT installed:", file=sys.stderr)
        for problem in exc.problems:
            print(f"  - {problem}", file=sys.stderr)
        return 1
    print(f"Installed model {report.version} ({'official' if report.official else 'stand-in'}), valid from "
          f"{report.valid_from}{' to ' + str(report.valid_to) if report.valid_to else ''}: "
          f"{report.coefficient_rows} coefficients, {report.red_rules} red rules -> {report.destination}")
    for warning in report.warnings:
        print(f"  warning: {warning}")
    return 0


def cmd_cov_check(settings: Settings, args: argparse.Namespace) -> int:
    from scrivio_tui.services.integrations import Integrations, NotConfigured

    integrations = Integrations(settings, None)  # type: ignore[arg-type]
    if settings.demo:
        integrations.start_simulators()
    try:
        with integrations.cov() as cov:
            outcome = cov.check(args.bsn, args.birth_date, args.date, "cli-check")
    except NotConfigured as exc:
        return _fail(str(exc))
    finally:
        integrations.stop()
    print(json.dumps({
        "kind": str(outcome.kind), "verified": outcome.verified, "message": outcome.message,
        "request_id": outcome.request_id, "http_status": outcome.http_status,
        "peildatum": outcome.peildatum, "future_peildatum": outcome.future_peildatum,
        "deceased": outcome.deceased,
        "coverages": [c.__dict__ for c in outcome.coverages],
        "proposed": outcome.proposed.__dict__ if outcome.proposed else None,
    }, indent=2, ensure_ascii=False, default=str))
    return 0


def cmd_simulate(settings: Settings, args: argparse.Namespace) -> int:
    if args.service == "cov":
        from scrivio_tui.simulators.cov import run_cov_simulator

        run_cov_simulator(port=args.port or 8765, token=args.token or "sim-cov-token",
                          fixtures=Path(args.fixtures) if args.fixtures else None)
    else:
        from scrivio_tui.simulators.portal import run_portal_simulator

        outbox = Path(args.outbox) if args.outbox else settings.data_dir / "simulated-mail"
        run_portal_simulator(port=args.port or 8766, token=args.token or "sim-portal-token", outbox_dir=outbox)
    return 0


def cmd_secrets(settings: Settings, args: argparse.Namespace) -> int:
    from scrivio_tui import secrets

    try:
        if args.action == "set":
            value = _read_secret(f"{args.name}: ")
            secrets.set_secret(args.name, value)
            print(f"{args.name} stored in the keyring ({secrets.backend_name()}).")
        else:
            print(f"{args.name} deleted." if secrets.delete_secret(args.name) else f"{args.name} was not stored.")
    except secrets.SecretsUnavailable as exc:
        return _fail(str(exc))
    except ValueError as exc:
        return _fail(str(exc), 2)
    return 0


def cmd_outbox_flush(settings: Settings, args: argparse.Namespace) -> int:
    from scrivio_tui.services.integrations import Integrations

    report = Integrations(settings, _db(settings)).flush_outbox()
    if report is None:
        return _fail("portal not configured (portal_url and portal-token): links stay queued")
    print(f"sent {len(report.sent)}, retry later {len(report.retry)}, failed {len(report.failed)}")
    return 0


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="scrivio-tui", description="Onboard new clients of a GGZ practice.")
    parser.add_argument("--demo", action="store_true",
                        help="use the separate demo database (seeded) and start the COV/portal simulators")
    sub = parser.add_subparsers(dest="command")

    staff_p = sub.add_parser("staff", help="staff accounts").add_subparsers(dest="staff_cmd", required=True)
    add = staff_p.add_parser("add", help="create an account; the password is read from stdin")
    add.add_argument("username")
    add.add_argument("--role", required=True, help="Reception, Practitioner or Administrator")
    add.add_argument("--name", help="display name")
    add.add_argument("--practitioner", action="store_true", help="may be chosen as lead practitioner")
    add.add_argument("--profession", help="e.g. gz_psychologist, psychiatrist (see data/professions.csv)")
    add.add_argument("--agb", help="personal AGB code (8 digits)")
    add.set_defaults(func=cmd_staff_add)

    exp = sub.add_parser("export", help="print a client's whole record as JSON (AVG access request)")
    exp.add_argument("client", help="client id or BSN")
    exp.add_argument("--user", help="your username (default: your login name); password from stdin")
    exp.set_defaults(func=cmd_export)

    zvt = sub.add_parser("zvt", help="care-demand classification tables").add_subparsers(dest="zvt_cmd", required=True)
    adv = zvt.add_parser("advise", help="print the advice for 19 HoNOS+ scores as JSON")
    adv.add_argument("--group", required=True, help="main group X, Y or Z")
    adv.add_argument("--scores", required=True, help="19 digits 0-4, items 1..19 in order")
    adv.add_argument("--date", help="classification date YYYY-MM-DD (default today)")
    adv.set_defaults(func=cmd_zvt_advise)
    imp = zvt.add_parser("import-tables", help="validate and install official NZa tables")
    imp.add_argument("directory")
    imp.add_argument("--replace", action="store_true", help="replace an installed set of the same version")
    imp.set_defaults(func=cmd_zvt_import)

    cov = sub.add_parser("cov", help="VECOZO COV").add_subparsers(dest="cov_cmd", required=True)
    chk = cov.add_parser("check", help="run one COV check and print the outcome as JSON")
    chk.add_argument("--bsn", required=True)
    chk.add_argument("--birth-date", required=True, help="YYYY-MM-DD")
    chk.add_argument("--date", help="peildatum YYYY-MM-DD (default today)")
    chk.set_defaults(func=cmd_cov_check)

    sim = sub.add_parser("simulate", help="run a local simulator of an outside service")
    sim.add_argument("service", choices=["cov", "portal"])
    sim.add_argument("--port", type=int)
    sim.add_argument("--token", help="the bearer token the simulator accepts")
    sim.add_argument("--fixtures", help="extra COV fixtures (JSON)")
    sim.add_argument("--outbox", help="portal: folder for the sent mails (.eml)")
    sim.set_defaults(func=cmd_simulate)

    sec = sub.add_parser("secrets", help="tokens in the OS keyring")
    sec.add_argument("action", choices=["set", "delete"])
    sec.add_argument("name", choices=["cov-token", "portal-token"])
    sec.set_defaults(func=cmd_secrets)

    out = sub.add_parser("outbox", help="queued sign-in links").add_subparsers(dest="outbox_cmd", required=True)
    flush = out.add_parser("flush", help="deliver queued sign-in links now")
    flush.set_defaults(func=cmd_outbox_flush)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    settings = load_settings(demo=True) if args.demo else load_settings()
    func = getattr(args, "func", cmd_run)
    try:
        return int(func(settings, args) or 0)
    except KeyboardInterrupt:
        return 130
    except BrokenPipeError:  # output piped into `head` and the like
        sys.stderr.close()
        return 0


if __name__ == "__main__":
    raise SystemExit(main())

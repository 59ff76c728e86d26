"""Local HTTP servers speaking the COV and portal contracts, for demo mode and tests (stdlib only)."""

from scrivio_tui.simulators._server import FAULTS, RunningServer
from scrivio_tui.simulators.cov import (
    DEFAULT_COV_PORT,
    DEFAULT_COV_TOKEN,
    run_cov_simulator,
    start_cov_simulator,
)
from scrivio_tui.simulators.portal import (
    DEFAULT_PORTAL_PORT,
    DEFAULT_PORTAL_TOKEN,
    PortalRunningServer,
    run_portal_simulator,
    start_portal_simulator,
)

__all__ = [
    "DEFAULT_COV_PORT",
    "DEFAULT_COV_TOKEN",
    "DEFAULT_PORTAL_PORT",
    "DEFAULT_PORTAL_TOKEN",
    "FAULTS",
    "PortalRunningServer",
    "RunningServer",
    "run_cov_simulator",
    "run_portal_simulator",
    "start_cov_simulator",
    "start_portal_simulator",
]

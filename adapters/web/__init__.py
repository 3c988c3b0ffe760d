"""The web dashboard: server-provided HTML pages with small ES modules, and their assets.

The API application mounts it through this package only: `setup_dashboard(app)` adds its
routes, `DASHBOARD_PATHS` describes them. The dashboard imports nothing of the API (its
shared HTTP pieces are in `adapters.http`)."""

from adapters.web.dashboard import setup_dashboard
from adapters.web.openapi import DASHBOARD_PATHS

__all__ = ["DASHBOARD_PATHS", "setup_dashboard"]

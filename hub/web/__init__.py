"""The hub's web page and API: live signals, acknowledgement, status."""

from hub.web._access import PageAccess
from hub.web._app import WebPortBusy, create_app, listen_for_page, page_access, serve

__all__ = [
    "PageAccess",
    "WebPortBusy",
    "create_app",
    "listen_for_page",
    "page_access",
    "serve",
]

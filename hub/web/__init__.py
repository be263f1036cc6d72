"""The hub's web page and API: live signals, acknowledgement, status."""

from hub.web._app import create_app, serve

__all__ = ["create_app", "serve"]

"""The optional web server in the bot's process: ``/healthz``, ``/metrics`` and the dashboard.

Imported only when ``[web] enabled = true`` (see ``bot.app.web_if_enabled``).
"""

from bot.web.server import WebServer, open_web

__all__ = ["WebServer", "open_web"]

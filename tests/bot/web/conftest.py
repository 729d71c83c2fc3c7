"""The dashboard wired into the real engine on the sandbox, served by aiohttp's test client."""

from __future__ import annotations

import re
from collections.abc import AsyncIterator
from pathlib import Path
from urllib.parse import urlsplit

import pytest
from aiohttp import ClientResponse, web
from aiohttp.test_utils import TestClient, TestServer

from bot import metrics
from bot.web.server import WiredDashboard, wire
from tests.sandbox import Sandbox

Client = TestClient[web.Request, web.Application]
LINK = re.compile(r"<(https?://[^>\s]+/signin/[^>\s]+)>")
FORM_CSRF = re.compile(r'name="csrf" value="([^"]+)"')


class Dash:
    """A sandbox with the dashboard: ask for links in chat, open them over HTTP."""

    def __init__(self, sb: Sandbox, client: Client, wired: WiredDashboard) -> None:
        self.sb = sb
        self.client = client
        self.wired = wired

    async def link(self, who: str = "alice") -> str:
        """Say /dashboard as ``who`` and return the path of the link sent privately."""
        await self.sb.say(f"{who}: /dashboard")
        found = LINK.search(self.sb.private_to(who)[-1])
        assert found, self.sb.private_to(who)[-1]
        return urlsplit(found[1]).path

    async def open_link(self, path: str) -> tuple[ClientResponse, str]:
        response = await self.client.get(path)
        return response, await response.text()

    async def press_sign_in(self, path: str) -> ClientResponse:
        """Open the link's page and press its button (sending the form's token)."""
        page, html = await self.open_link(path)
        assert page.status == 200, html
        found = FORM_CSRF.search(html)
        assert found
        return await self.client.post(path, data={"csrf": found[1]}, allow_redirects=False)

    async def sign_in(self, who: str = "alice") -> str:
        """Sign ``who`` in; return the session's CSRF token (read off a page's form)."""
        response = await self.press_sign_in(await self.link(who))
        assert response.status == 303, await response.text()
        page = await self.client.get("/circles")
        found = FORM_CSRF.search(await page.text())
        assert found
        return found[1]


@pytest.fixture
async def dash(tmp_path: Path) -> AsyncIterator[Dash]:
    sandbox = Sandbox(tmp_path)
    await sandbox.open()
    assert sandbox.app is not None
    families = metrics.start()
    holder: list[Client] = []
    wired = wire(sandbox.app, families, lambda: str(holder[0].make_url("")).rstrip("/"))
    client = TestClient(TestServer(wired.application))
    holder.append(client)
    await client.start_server()
    try:
        yield Dash(sandbox, client, wired)
    finally:
        await client.close()
        metrics.stop(families)
        await sandbox.close()

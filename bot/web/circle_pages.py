"""The circle pages: the list of circles, each circle's overview, schedules, prompts and
changes, and the one way a form changes anything.

What a page shows comes from the features through ``bot.dashboard`` (each cog that offers a
``DashboardView``); this module never reads ``cogs/``. A form names a command the chat has
already, and ``run`` hands it to the command router with the signed-in person as the invoker
and the circle's room as where it was said: the same checks, the same refusal, the same
announcement in the circle, and the same line in the audit log as the typed command, at once.

Who may see a circle is asked at every request (``Access.may_manage``): a moderator every
circle of their community, a facilitator only the circles they help hold. Anyone else gets
the 403 page, for reading and for every form.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any, Protocol

from aiohttp import web

from bot.audit import AuditEntry, AuditLog
from bot.chat import DeliveryError, Destination, MemberRef, RoomRef, Visibility
from bot.commands import CircleHandle, CommandRouter, CommandSpec, OptionKind, RawValue
from bot.dashboard import Action, Chart, DashboardView, Item, Section, Topic, gather
from bot.host import ChatHub
from bot.web import texts
from bot.web.access import Access, Viewer
from bot.web.charts import draw

log = logging.getLogger(__name__)

PAGE_TOPICS = {
    "schedules": Topic.SCHEDULES,
    "prompts": Topic.PROMPTS,
    "agreements": Topic.AGREEMENTS,
}
AUDIT_SHOWN = 200


class PageKit(Protocol):
    """What the circle pages need of the dashboard's routes (``routes.Dashboard`` is one)."""

    async def viewer_or_refusal(self, request: web.Request) -> Viewer | web.Response: ...

    def render(self, request: web.Request, template: str, **context: Any) -> web.Response: ...

    def message(
        self, request: web.Request, status: int, words: tuple[str, ...], *, home_link: bool = False
    ) -> web.Response: ...

    def csrf_ok(self, request: web.Request, given: object) -> bool: ...

    def form_refused(self, request: web.Request) -> web.Response: ...


# --- forms, as the templates see them --------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Field:
    name: str
    label: str
    input: str  # text, number, date, select
    value: str = ""
    choices: tuple[str, ...] = ()
    required: bool = False
    maxlength: int | None = None
    minimum: int | None = None
    maximum: int | None = None


@dataclass(frozen=True, slots=True)
class Form:
    label: str
    command: str
    hidden: tuple[tuple[str, str], ...]
    fields: tuple[Field, ...]
    key: str  # unique on the page, for the fields' ids


def form_of(action: Action, spec: CommandSpec | None, key: str) -> Form | None:
    """The form for ``action``, its fields read off the command's own options (their help is
    the label); None if the command isn't one the dashboard may run."""
    if spec is None or not spec.changes:
        return None
    options = {o.name: o for o in spec.options}
    fields = []
    for name in action.fields:
        option = options.get(name)
        if option is None or option.kind in (OptionKind.MEMBER, OptionKind.CIRCLE):
            continue
        value = action.values.get(name, "")
        if option.kind is OptionKind.CHOICE:
            fields.append(
                Field(name, option.help, "select", value, ("", *option.choices), option.required)
            )
        elif option.kind is OptionKind.BOOLEAN:
            fields.append(Field(name, option.help, "select", value, ("", "yes", "no")))
        elif option.kind is OptionKind.INTEGER:
            fields.append(
                Field(
                    name,
                    option.help,
                    "number",
                    value,
                    required=option.required,
                    minimum=option.min_value,
                    maximum=option.max_value,
                )
            )
        elif option.kind is OptionKind.DATE or name == "until":
            fields.append(Field(name, option.help, "date", value, required=option.required))
        else:
            fields.append(
                Field(
                    name,
                    option.help,
                    "text",
                    value,
                    required=option.required,
                    maxlength=option.max_length,
                )
            )
    hidden = tuple((k, str(v)) for k, v in action.fixed.items())
    return Form(action.label, spec.name, hidden, tuple(fields), key)


@dataclass(slots=True)
class WebReplier:
    """How a command run from the dashboard answers: what it says to everyone goes to the
    circle, as it would in chat; what it says to the invoker alone comes back to the page."""

    hub: ChatHub
    home: Destination  # the circle's room or thread
    personal: list[str] = field(default_factory=list)
    announced: list[str] = field(default_factory=list)

    async def reply(self, text: str, visibility: Visibility) -> None:
        if visibility is Visibility.PUBLIC:
            await self.hub.send(self.home, text)
            self.announced.append(text)
        else:
            self.personal.append(text)

    async def acknowledge(self) -> None:
        """The page itself says the change went through."""


def plain(text: str) -> str:
    """A chat sentence for a page: Markdown's emphasis and code marks taken off (the text is
    still escaped by the template)."""
    return text.replace("**", "").replace("`", "").replace("<", "").replace(">", "")


class CirclePages:
    def __init__(
        self,
        kit: PageKit,
        *,
        hub: ChatHub,
        router: CommandRouter,
        access: Access,
        views: Callable[[], Sequence[DashboardView]],
        audit: AuditLog,
        root: str,
    ) -> None:
        self._kit = kit
        self._hub = hub
        self._router = router
        self._access = access
        self._views = views
        self._audit = audit
        self._root = root

    def add_routes(self, app: web.Application) -> None:
        app.router.add_get("/circles", self.circles)
        app.router.add_get("/audit", self.audit_all)
        app.router.add_get("/support", self.support)
        app.router.add_get(r"/circles/{id:\d+}", self.overview)
        app.router.add_get(r"/circles/{id:\d+}/schedules", self.topic_page)
        app.router.add_get(r"/circles/{id:\d+}/prompts", self.topic_page)
        app.router.add_get(r"/circles/{id:\d+}/agreements", self.topic_page)
        app.router.add_get(r"/circles/{id:\d+}/audit", self.audit_of)
        app.router.add_post(r"/circles/{id:\d+}/run", self.run)

    # --- which circles ----------------------------------------------------------------------

    async def visible(self, viewer: Viewer) -> list[CircleHandle]:
        """The circles of the viewer's community they may see, the resting ones last."""
        found = await self._router.directory.in_space(viewer.space)
        if viewer.moderator:
            return list(found)
        return [c for c in found if await self._access.may_manage(viewer, c)]

    async def _circle(self, request: web.Request) -> tuple[Viewer, CircleHandle] | web.Response:
        viewer = await self._kit.viewer_or_refusal(request)
        if not isinstance(viewer, Viewer):
            return viewer
        wanted = int(request.match_info["id"])
        found = await self._router.directory.in_space(viewer.space)
        circle = next((c for c in found if c.id == wanted), None)
        if circle is None:
            return self._kit.message(request, 404, texts.NO_SUCH_CIRCLE, home_link=True)
        if not await self._access.may_manage(viewer, circle):
            return self._kit.message(request, 403, texts.NOT_YOURS, home_link=True)
        return viewer, circle

    # --- pages -----------------------------------------------------------------------------

    async def circles(self, request: web.Request) -> web.StreamResponse:
        viewer = await self._kit.viewer_or_refusal(request)
        if not isinstance(viewer, Viewer):
            return viewer
        circles = await self.visible(viewer)
        sections = await gather(self._views(), Topic.CIRCLES, circles)
        labels: dict[str, None] = {}
        facts_of = []
        for circle in circles:
            facts = {f.label: f.value for s in sections[circle.id] for f in s.facts}
            labels.update(dict.fromkeys(facts))
            facts_of.append((circle, facts))
        columns = list(labels)
        rows = [
            (circle, [(label, facts.get(label, "")) for label in columns])
            for circle, facts in facts_of
        ]
        prefix = self._hub.command_prefix(viewer.member.platform)
        return self._kit.render(
            request,
            "circles.html",
            title="Circles",
            viewer=viewer,
            page="circles",
            intro=texts.CIRCLES_INTRO_MODERATOR
            if viewer.moderator
            else texts.CIRCLES_INTRO_FACILITATOR,
            none=texts.CIRCLES_NONE.format(prefix=prefix),
            name_label=texts.CIRCLE_NAME,
            labels=columns,
            rows=rows,
        )

    async def overview(self, request: web.Request) -> web.StreamResponse:
        found = await self._circle(request)
        if not isinstance(found, tuple):
            return found
        viewer, circle = found
        sections = (await gather(self._views(), Topic.CIRCLES, [circle]))[circle.id]
        return self._circle_page(request, viewer, circle, "overview", sections)

    async def topic_page(self, request: web.Request) -> web.StreamResponse:
        found = await self._circle(request)
        if not isinstance(found, tuple):
            return found
        viewer, circle = found
        tab = request.path.rsplit("/", 1)[1]
        sections = (await gather(self._views(), PAGE_TOPICS[tab], [circle]))[circle.id]
        extra: dict[str, Any] = {}
        if tab == "prompts":
            sections, extra = _filtered(sections, request.query)
        return self._circle_page(request, viewer, circle, tab, sections, **extra)

    async def audit_of(self, request: web.Request) -> web.StreamResponse:
        found = await self._circle(request)
        if not isinstance(found, tuple):
            return found
        viewer, circle = found
        return await self._audit_page(request, viewer, {circle.id: circle}, circle)

    async def audit_all(self, request: web.Request) -> web.StreamResponse:
        viewer = await self._kit.viewer_or_refusal(request)
        if not isinstance(viewer, Viewer):
            return viewer
        circles = {c.id: c for c in await self.visible(viewer)}
        return await self._audit_page(request, viewer, circles, None)

    async def _audit_page(
        self,
        request: web.Request,
        viewer: Viewer,
        circles: dict[int, CircleHandle],
        circle: CircleHandle | None,
    ) -> web.StreamResponse:
        """The audit log of ``circles``: one circle's tab, or every circle the viewer sees."""
        entries = await self._audit.of_circles(list(circles), AUDIT_SHOWN)
        return self._kit.render(
            request,
            "audit.html",
            title=f"{circle.name}: {texts.AUDIT_HEAD}" if circle else texts.AUDIT_HEAD,
            viewer=viewer,
            page="circles" if circle else "audit",
            circle=circle,
            tab="audit",
            tabs=texts.TABS,
            rows=await self._audit_rows(entries, circles),
            t=texts,
            show_circle=circle is None,
        )

    async def support(self, request: web.Request) -> web.StreamResponse:
        """Nudges and support: each chart summed over the viewer's circles, numbers only."""
        viewer = await self._kit.viewer_or_refusal(request)
        if not isinstance(viewer, Viewer):
            return viewer
        circles = await self.visible(viewer)
        summed: dict[str, Chart] = {}
        for sections in (await gather(self._views(), Topic.SUPPORT, circles)).values():
            for chart in (c for s in sections for c in s.charts):
                known = summed.get(chart.title)
                summed[chart.title] = chart if known is None else known.plus(chart)
        return self._kit.render(
            request,
            "support.html",
            title=texts.NUDGES_HEAD,
            viewer=viewer,
            page="support",
            drawn=[draw(c) for c in summed.values()],
            t=texts,
        )

    # --- the one way a form changes anything ------------------------------------------------

    async def run(self, request: web.Request) -> web.StreamResponse:
        found = await self._circle(request)
        if not isinstance(found, tuple):
            return found
        viewer, circle = found
        form = await request.post()
        if not self._kit.csrf_ok(request, form.get("csrf")):
            return self._kit.form_refused(request)
        words = str(form.get("command", "")).split()
        spec = self._router.spec(words)
        if spec is None or not spec.changes:
            return self._kit.message(request, 400, texts.NOT_A_CHANGE, home_link=True)
        raw: dict[str, RawValue] = {}
        for option in spec.options:
            if option.kind is OptionKind.CIRCLE:
                raw[option.name] = circle.name
                continue
            if option.kind is OptionKind.MEMBER:
                continue  # people are never chosen on a page
            value = form.get(option.name)
            if isinstance(value, str) and value.strip():
                raw[option.name] = value.strip()
        replier = WebReplier(self._hub, circle.thread or circle.room)
        outcome = await self._router.run(
            spec.path,
            raw,
            invoker=viewer.member,
            room=circle.room,
            thread=circle.thread,
            replier=replier,
            prefix=self._hub.command_prefix(viewer.member.platform),
            via="web",
        )
        back = str(form.get("back", "overview"))
        if back not in texts.TABS:
            back = "overview"
        done = outcome == "done"
        response = self._kit.render(
            request,
            "result.html",
            title=texts.DONE if done else texts.NOT_DONE,
            viewer=viewer,
            page="circles",
            heading=texts.DONE if done else texts.NOT_DONE,
            replies=[plain(r) for r in replier.personal],
            announced=texts.ANNOUNCED if done and replier.announced else "",
            said=[plain(r) for r in replier.announced],
            back_url=f"{self._root}/circles/{circle.id}"
            + ("" if back == "overview" else f"/{back}"),
            back_label=texts.BACK.format(page=f"{circle.name}: {texts.TABS[back]}"),
        )
        response.set_status(200 if done else 422)
        return response

    # --- helpers ---------------------------------------------------------------------------

    def _circle_page(
        self,
        request: web.Request,
        viewer: Viewer,
        circle: CircleHandle,
        tab: str,
        sections: Sequence[Section],
        **extra: Any,
    ) -> web.Response:
        forms: dict[int, Form] = {}
        counter = 0

        def forms_of(actions: Sequence[Action]) -> list[Form]:
            nonlocal counter
            out = []
            for action in actions:
                counter += 1
                made = form_of(action, self._router.spec(action.command), f"f{counter}")
                if made is not None:
                    forms[id(action)] = made
                    out.append(made)
            return out

        shown = [
            (
                section,
                forms_of(section.actions),
                [(item, forms_of(item.actions)) for item in section.items],
            )
            for section in sections
        ]
        return self._kit.render(
            request,
            "circle.html",
            title=f"{circle.name}: {texts.TABS[tab]}",
            viewer=viewer,
            page="circles",
            circle=circle,
            tab=tab,
            tabs=texts.TABS,
            shown=shown,
            submit=texts.SUBMIT,
            t=texts,
            filters=extra.get("filters"),
        )

    async def _audit_rows(
        self, entries: Sequence[AuditEntry], circles: Mapping[int, CircleHandle]
    ) -> list[dict[str, str]]:
        names: dict[tuple[MemberRef, RoomRef], str] = {}
        rows = []
        for entry in entries:
            circle = circles.get(entry.circle_id)
            if circle is None:
                continue
            who = texts.AUDIT_FORGOTTEN
            if entry.member is not None:
                key = (entry.member, circle.room)
                if key not in names:
                    try:
                        names[key] = await self._hub.display_name(entry.member, circle.room)
                    except DeliveryError:
                        names[key] = entry.member.id
                who = names[key]
            rows.append(
                {
                    "at": entry.at.strftime("%Y-%m-%d %H:%M"),
                    "circle": circle.name,
                    "circle_id": str(circle.id),
                    "who": who,
                    "what": entry.command,
                    "detail": entry.detail,
                    "via": texts.AUDIT_VIA_WORDS.get(entry.via, entry.via),
                }
            )
        return rows


def _filtered(
    sections: Sequence[Section], query: Mapping[str, str]
) -> tuple[list[Section], dict[str, Any]]:
    """The prompts page's tag filter: the decks' prompts with a tag, or without one (say,
    no ``deep`` prompts), as a schedule's filter would choose them."""
    tags = sorted({t for s in sections for i in s.items for t in i.tags})
    tag = query.get("tag", "")
    without = query.get("without", "")
    tag = tag if tag in tags else ""
    without = without if without in tags else ""
    total = shown = 0
    out = []
    for section in sections:
        if not section.filterable:
            out.append(section)
            continue
        kept: list[Item] = []
        for item in section.items:
            total += 1
            if tag and tag not in item.tags:
                continue
            if without and without in item.tags:
                continue
            kept.append(item)
        shown += len(kept)
        out.append(
            Section(
                section.title,
                section.facts,
                tuple(kept),
                section.actions,
                section.empty,
                filterable=True,
            )
        )
    filters = {
        "tags": tags,
        "tag": tag,
        "without": without,
        "summary": texts.FILTER_SHOWN.format(shown=shown, total=total),
    }
    return out, {"filters": filters}

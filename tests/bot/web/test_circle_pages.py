"""The circle pages and their forms, on the real engine in the sandbox: what each page shows,
who may open and post to it, and that a change from a form is the typed command's change
(same refusal, same announcement in the circle, same line in the audit log)."""

from __future__ import annotations

import re
import sqlite3

from aiohttp import ClientResponse

from bot.chat import RoomRef
from cogs.circles.model import Circle
from cogs.circles.repo import CirclesRepo
from tests.bot.web.conftest import Dash
from tests.sandbox import Sandbox, make_circle

XSS = '<script>alert("x")</script>'


def rows(sb: Sandbox, sql: str) -> list[tuple[object, ...]]:
    assert sb.app is not None
    with sqlite3.connect(sb.app.db.path) as conn:
        return conn.execute(sql).fetchall()


async def other_circle(sb: Sandbox, name: str = "Wednesday", creator: str = "erin") -> Circle:
    """A second circle in the same community, in a room of its own, that dan doesn't hold."""
    assert sb.app is not None
    room = sb.chat_or_fail().room
    return await CirclesRepo(sb.app.db).create(
        room=RoomRef(room.platform, room.space_id, "another-room"),
        thread=None,
        name=name,
        description="",
        capacity=8,
        is_open=True,
        time_zone="UTC",
        creator=creator,
        at=sb.clock.now(),
    )


async def post(
    dash: Dash, circle_id: int, csrf: str | None, command: str, **fields: str | int
) -> tuple[ClientResponse, str]:
    data: dict[str, str] = {"command": command, **{k: str(v) for k, v in fields.items()}}
    if csrf is not None:
        data["csrf"] = csrf
    response = await dash.client.post(f"/circles/{circle_id}/run", data=data)
    return response, await response.text()


async def page(dash: Dash, path: str) -> tuple[int, str]:
    response = await dash.client.get(path)
    return response.status, await response.text()


async def test_the_circles_page_shows_each_circle_at_a_glance(dash: Dash) -> None:
    """Members, openness, waitlist, rota, next meeting and next prompts, for every circle."""
    sb = dash.sb
    await make_circle(sb, "bob", "carol", extra="time_zone=Europe/Berlin")
    await sb.say(
        "alice: /circle rota add @bob",
        "alice: /meeting set tuesdays 19:00",
        "alice: /schedule add mondays 19:30",
    )
    await dash.sign_in("alice")
    status, html = await page(dash, "/circles")
    assert status == 200
    assert '<a href="/circles/1">Tuesday</a>' in html
    for label, value in (
        ("Members", "3 of 12 places"),  # alice made it, bob and carol joined
        ("Joining", "open to anyone"),
        ("Waiting for a place", "0"),
        ("Rota", "Alice, Bob"),
        ("Next meeting", "Tue 3 Mar, 19:00"),
        ("Next prompts", "Mon 2 Mar, 19:30"),
    ):
        assert f'<td data-label="{label}">{value}</td>' in html, label


async def test_a_facilitator_sees_only_their_circles(dash: Dash) -> None:
    sb = dash.sb
    await make_circle(sb, "dan")
    await sb.say("alice: /circle rota add @dan")
    wednesday = await other_circle(sb)
    await dash.sign_in("dan")
    _, html = await page(dash, "/circles")
    assert "Tuesday" in html
    assert "Wednesday" not in html
    _, audit = await page(dash, "/audit")
    assert "Wednesday" not in audit
    for tab in ("", "/schedules", "/prompts", "/audit"):
        status, html = await page(dash, f"/circles/{wednesday.id}{tab}")
        assert status == 403, tab
        assert "This circle is looked after by others" in html
        assert "Wednesday" not in html


async def test_a_facilitator_cannot_post_to_another_circle(dash: Dash) -> None:
    """Even with a good token, a form for Wednesday from dan changes nothing there."""
    sb = dash.sb
    await make_circle(sb, "dan")
    await sb.say("alice: /circle rota add @dan")
    wednesday = await other_circle(sb)
    csrf = await dash.sign_in("dan")
    response, html = await post(dash, wednesday.id, csrf, "schedule add", when="daily 09:00")
    assert response.status == 403
    assert "This circle is looked after by others" in html
    assert rows(sb, "SELECT * FROM reflection_schedules") == []
    assert rows(sb, "SELECT command FROM audit_log") == [("circle rota add",)]  # alice's, in chat
    response, _ = await post(dash, wednesday.id, csrf, "circle close")
    assert response.status == 403
    assert rows(sb, "SELECT archived_at FROM circles WHERE name = 'Wednesday'") == [(None,)]


async def test_an_unknown_circle_or_one_of_another_community_is_not_found(dash: Dash) -> None:
    sb = dash.sb
    await make_circle(sb)
    assert sb.app is not None
    elsewhere = await CirclesRepo(sb.app.db).create(
        room=RoomRef(sb.chat_or_fail().room.platform, "another-space", "a-room"),
        thread=None,
        name="Thursday",
        description="",
        capacity=8,
        is_open=True,
        time_zone="UTC",
        creator="erin",
        at=sb.clock.now(),
    )
    csrf = await dash.sign_in("alice")  # a moderator, but of this space only
    for path in (f"/circles/{elsewhere.id}", "/circles/999"):
        status, html = await page(dash, path)
        assert status == 404
        assert "Thursday" not in html
    response, _ = await post(dash, elsewhere.id, csrf, "circle close")
    assert response.status == 404
    assert rows(sb, "SELECT archived_at FROM circles WHERE name = 'Thursday'") == [(None,)]


async def test_a_post_without_the_token_or_with_a_wrong_one_changes_nothing(dash: Dash) -> None:
    sb = dash.sb
    await make_circle(sb)
    await dash.sign_in("alice")
    for csrf in (None, "not-the-token"):
        response, html = await post(dash, 1, csrf, "schedule add", when="daily 09:00")
        assert response.status == 403
        assert "That didn’t go through" in html
    assert rows(sb, "SELECT * FROM reflection_schedules") == []
    assert rows(sb, "SELECT * FROM audit_log") == []


async def test_adding_a_schedule_from_the_page_is_announced_and_audited(dash: Dash) -> None:
    """The form runs `schedule add` as alice: the circle hears it as it would in chat, and
    the log says it came from the dashboard."""
    sb = dash.sb
    await make_circle(sb, extra="time_zone=Europe/Berlin")
    csrf = await dash.sign_in("alice")
    sb.mark()
    response, html = await post(
        dash, 1, csrf, "schedule add", when="mondays 19:30", theme="connection", back="schedules"
    )
    assert response.status == 200, html
    assert "<h1>Done</h1>" in html
    assert "I said so in the circle" in html
    assert "Schedule #1 for Tuesday" in html  # what the circle read, shown on the page too
    assert '<a href="/circles/1/schedules">' in html
    assert "Schedule #1 for **Tuesday**" in sb.since_mark
    assert rows(sb, "SELECT form, theme, created_by FROM reflection_schedules") == [
        ("mondays 19:30", "connection", "alice")
    ]
    assert rows(sb, "SELECT member_id, command, via FROM audit_log") == [
        ("alice", "schedule add", "web")
    ]


async def test_the_schedules_page_previews_the_next_runs_with_clock_changes(dash: Dash) -> None:
    """Sundays 02:30 in Berlin: on 29 March the clocks skip that hour, and the page says so."""
    sb = dash.sb
    await make_circle(sb, extra="time_zone=Europe/Berlin")
    await sb.say("alice: /schedule add sundays 02:30 without=deep")
    await dash.sign_in("alice")
    status, html = await page(dash, "/circles/1/schedules")
    assert status == 200
    assert "#1 · sundays 02:30" in html
    assert "The next times, in Europe/Berlin:" in html
    assert "Sun 8 Mar 2026, 02:30" in html
    assert (
        "Sun 29 Mar 2026, 03:00 (the clocks go forward that night, so 02:30 comes as 03:00)" in html
    )
    assert "without deep" in html
    for label in (
        "Change it",
        "Rest it until a date",
        "Let the next one pass",
        "Take back a skip",
        "Remove it",
    ):
        assert label in html
    assert 'value="sundays 02:30"' in html  # the edit form starts from what is set


async def test_edit_pause_resume_skip_and_unskip_from_the_page(dash: Dash) -> None:
    sb = dash.sb
    await make_circle(sb, extra="time_zone=Europe/Berlin")
    await sb.say("alice: /schedule add mondays 19:30")
    csrf = await dash.sign_in("alice")

    sb.mark()
    response, _ = await post(dash, 1, csrf, "schedule edit", id=1, when="tuesdays 18:00", deck="")
    assert response.status == 200
    assert rows(sb, "SELECT form FROM reflection_schedules") == [("tuesdays 18:00",)]
    assert "Schedule #1" in sb.since_mark

    response, _ = await post(dash, 1, csrf, "schedule skip", id=1)
    assert response.status == 200
    skipped = rows(sb, "SELECT next_due FROM reflection_schedules")
    response, _ = await post(dash, 1, csrf, "schedule unskip", id=1)
    assert response.status == 200
    assert rows(sb, "SELECT next_due FROM reflection_schedules") != skipped

    response, _ = await post(dash, 1, csrf, "schedule pause", id=1, until="2026-04-01")
    assert response.status == 200
    assert rows(sb, "SELECT paused_until FROM reflection_schedules") == [("2026-04-01",)]
    _, html = await page(dash, "/circles/1/schedules")
    assert "Start it again now" in html
    response, _ = await post(dash, 1, csrf, "schedule resume", id=1)
    assert response.status == 200
    assert rows(sb, "SELECT paused_until FROM reflection_schedules") == [(None,)]
    commands = [r[0] for r in rows(sb, "SELECT command FROM audit_log WHERE via = 'web'")]
    assert commands == [
        "schedule edit",
        "schedule skip",
        "schedule unskip",
        "schedule pause",
        "schedule resume",
    ]


async def test_bad_input_on_a_form_gets_the_commands_own_sentence_and_changes_nothing(
    dash: Dash,
) -> None:
    sb = dash.sb
    await make_circle(sb)
    await sb.say("alice: /schedule add mondays 19:30")
    csrf = await dash.sign_in("alice")
    before = rows(sb, "SELECT * FROM reflection_schedules")
    for fields in (
        {"command": "schedule edit", "id": "1", "when": "someday at noon"},
        {"command": "schedule pause", "id": "1", "until": "yesterday"},
        {"command": "schedule skip", "id": "7"},
    ):
        command = fields.pop("command")
        response, html = await post(dash, 1, csrf, command, **fields)
        assert response.status == 422, command
        assert "That didn’t change anything" in html
        assert re.search(r'<p class="reply">[^<]+</p>', html), command
    assert rows(sb, "SELECT * FROM reflection_schedules") == before
    assert rows(sb, "SELECT * FROM audit_log WHERE via = 'web'") == []


async def test_only_commands_that_change_a_setting_can_be_posted(dash: Dash) -> None:
    """A form naming `privacy forget` or `schedule list` (or nothing known) is refused."""
    sb = dash.sb
    await make_circle(sb)
    csrf = await dash.sign_in("alice")
    for command in ("privacy forget", "schedule list", "dashboard", "no such thing", ""):
        response, html = await post(dash, 1, csrf, command, confirm="confirm")
        assert response.status == 400, command
        assert "That isn’t something the dashboard changes" in html
    assert rows(sb, "SELECT COUNT(*) FROM circle_members") == [(1,)]


async def test_approving_and_declining_suggestions_from_the_prompts_page(dash: Dash) -> None:
    sb = dash.sb
    await make_circle(sb, "bob")
    await sb.say(
        "bob: /prompt suggest What helped you feel heard this week?",
        "bob: /prompt suggest What would you like more of?",
    )
    csrf = await dash.sign_in("alice")
    _, html = await page(dash, "/circles/1/prompts")
    assert "Suggestion #1" in html
    assert "What helped you feel heard this week?" in html
    sb.mark()
    response, _ = await post(dash, 1, csrf, "prompt approve", id=1, title="Feeling heard")
    assert response.status == 200
    assert sb.since_mark  # the circle hears of it, as with the typed command
    response, _ = await post(dash, 1, csrf, "prompt decline", id=2)
    assert response.status == 200
    assert rows(sb, "SELECT id, status, title FROM reflection_suggestions ORDER BY id") == [
        (1, "approved", "Feeling heard")
    ]
    _, html = await page(dash, "/circles/1/prompts")
    assert "#1 · Feeling heard" in html
    response, _ = await post(dash, 1, csrf, "prompt retitle", id=1, title="Being heard")
    assert response.status == 200
    assert rows(sb, "SELECT title FROM reflection_suggestions") == [("Being heard",)]
    response, _ = await post(dash, 1, csrf, "prompt remove", id=1)
    assert response.status == 200
    assert rows(sb, "SELECT status FROM reflection_suggestions WHERE status = 'approved'") == []


async def test_the_prompts_page_filters_the_decks_by_tag(dash: Dash) -> None:
    """Without `deep`: none of the deck's deep prompts are listed, and the count says so."""
    sb = dash.sb
    await make_circle(sb)
    await dash.sign_in("alice")
    _, everything = await page(dash, "/circles/1/prompts")
    assert '<span class="tag">deep</span>' in everything
    status, html = await page(dash, "/circles/1/prompts?without=deep")
    assert status == 200
    assert '<span class="tag">deep</span>' not in html
    shown, total = map(int, re.findall(r"(\d+) of (\d+) prompts shown", html)[0])
    assert 0 < shown < total
    _, unknown = await page(dash, "/circles/1/prompts?tag=%3Cscript%3E")
    assert "<script>" not in unknown


async def test_markup_in_circle_names_and_prompts_is_shown_as_text(dash: Dash) -> None:
    sb = dash.sb
    await make_circle(sb, "bob")
    await other_circle(sb, name=XSS, creator="alice")
    await sb.say(f"bob: /prompt suggest {XSS} <img src=x onerror=alert(1)>")
    await dash.sign_in("alice")
    for path in ("/circles", "/circles/2", "/circles/1/prompts", "/audit"):
        _, html = await page(dash, path)
        assert "<script>alert" not in html, path
        assert "<img src=x" not in html, path
    _, listing = await page(dash, "/circles")
    assert "&lt;script&gt;alert(&#34;x&#34;)&lt;/script&gt;" in listing
    _, prompts = await page(dash, "/circles/1/prompts")
    assert "&lt;img src=x onerror=alert(1)&gt;" in prompts


async def test_no_page_shows_what_people_said(dash: Dash) -> None:
    sb = dash.sb
    await make_circle(sb, "bob", extra="time_zone=Europe/Berlin")
    await sb.say(
        "alice: /circle rota add @bob",
        "alice: /schedule add mondays 19:30",
        "bob: something only the circle should read",
        "alice: a reply nobody else should see",
    )
    await dash.sign_in("alice")
    for path in (
        "/circles",
        "/circles/1",
        "/circles/1/schedules",
        "/circles/1/prompts",
        "/circles/1/audit",
        "/audit",
        "/health",
    ):
        status, html = await page(dash, path)
        assert status == 200, path
        assert "only the circle should read" not in html, path
        assert "nobody else should see" not in html, path


async def test_the_audit_log_shows_chat_and_web_changes_per_circle(dash: Dash) -> None:
    sb = dash.sb
    await make_circle(sb, "dan")
    await sb.say("alice: /circle rota add @dan", "alice: /schedule add mondays 19:30")
    csrf = await dash.sign_in("dan")
    response, _ = await post(dash, 1, csrf, "schedule skip", id=1)
    assert response.status == 200
    status, html = await page(dash, "/circles/1/audit")
    assert status == 200
    table = html.split("<tbody>", 1)[1]
    newest, *_ = table.split("</tr>")
    assert '<td data-label="Who">Dan</td>' in newest
    assert '<td data-label="What">schedule skip</td>' in newest
    assert '<td data-label="From">the dashboard</td>' in newest
    assert '<td data-label="From">chat</td>' in table
    assert '<td data-label="Who">Alice</td>' in table
    assert "circle rota add" in table
    assert "member=someone" in table


async def test_the_overview_can_rest_and_reopen_a_circle(dash: Dash) -> None:
    sb = dash.sb
    await make_circle(sb)
    csrf = await dash.sign_in("alice")
    _, html = await page(dash, "/circles/1")
    assert "Rest this circle" in html
    assert 'name="capacity"' in html
    response, _ = await post(dash, 1, csrf, "circle edit", capacity="12", open="no")
    assert response.status == 200
    assert rows(sb, "SELECT capacity, is_open FROM circles") == [(12, 0)]
    response, _ = await post(dash, 1, csrf, "circle close")
    assert response.status == 200
    assert rows(sb, "SELECT archived_at IS NOT NULL FROM circles") == [(1,)]
    _, html = await page(dash, "/circles/1")
    assert "Open this circle again" in html
    response, _ = await post(dash, 1, csrf, "circle reopen")
    assert response.status == 200
    assert rows(sb, "SELECT archived_at FROM circles") == [(None,)]


async def test_the_agreements_page_shows_counts_never_names(dash: Dash) -> None:
    """An open proposal shows how many chose what; the registry shows every version; no page
    says who voted which way."""
    sb = dash.sb
    await make_circle(sb, "bob", "carol", "dan")
    await sb.say("bob: /agreement propose We start and end on time.")
    await sb.say("alice +^ consent", "bob +^ consent", "carol +^ concern", "dan +^ consent")
    await sb.say("bob: /agreement propose We take a short pause halfway.")
    await sb.say("carol +^ object")
    await dash.sign_in("alice")
    status, html = await page(dash, "/circles/1/agreements")
    assert status == 200
    open_part = html.split('id="s1"', 1)[1].split("<section", 1)[0]
    assert "We take a short pause halfway." in open_part
    assert "<dt>Voted so far</dt><dd>1 of 4 members</dd>" in open_part
    assert "<dt>object</dt><dd>1</dd>" in open_part
    registry = html.split("The registry", 1)[1]
    assert "We start and end on time." in registry
    assert "Version 1," in registry
    assert "adopted" in registry
    for name in ("Carol", "carol", "Dan"):
        assert name not in html.split("<main", 1)[1].split("<footer", 1)[0]


async def test_the_support_page_charts_numbers_per_week_and_kind_only(dash: Dash) -> None:
    """Nudges counted per ISO week and kind, summed over the viewer's circles, drawn as SVG
    on the server with the numbers in a table; never who, never what was said."""
    from datetime import timedelta

    from cogs.nudges.drift import Situation
    from cogs.nudges.records import NudgeRecord
    from cogs.nudges.repo import NudgesRepo

    sb = dash.sb
    await make_circle(sb, "dan", "bob")
    await sb.say("alice: /circle rota add @dan")
    wednesday = await other_circle(sb)
    assert sb.app is not None
    repo = NudgesRepo(sb.app.db)
    now = sb.clock.now()
    for circle_id, back, situation in (
        (1, 0, Situation.DRIFT),
        (1, 0, Situation.DRIFT),
        (1, 7, Situation.SUGGESTION),
        (wednesday.id, 0, Situation.LABELLING),
    ):
        await repo.record(
            NudgeRecord(
                circle_id,
                "bob",
                "room",
                now - timedelta(days=back),
                situation,
                "private",
                True,
                ("modal",),
            )
        )
    await dash.sign_in("alice")
    status, html = await page(dash, "/support")
    assert status == 200
    assert '<svg class="chart"' in html
    assert "<title>2026-W10, fixing: 2</title>" in html
    assert "<title>2026-W09, a suggestion: 1</title>" in html
    assert "<title>2026-W10, a label: 1</title>" in html  # a moderator counts every circle
    assert (
        '<tr><th scope="row">2026-W10</th><td>2</td><td>0</td><td>0</td><td>1</td><td>3</td></tr>'
        in html
    )
    body = html.split("<main", 1)[1].split("<footer", 1)[0]
    assert "Bob" not in body
    assert "bob" not in body
    assert "modal" not in body

    dash.client.session.cookie_jar.clear()
    await dash.sign_in("dan")
    _, html = await page(dash, "/support")
    assert "<title>2026-W10, fixing: 2</title>" in html
    assert "a label: 1" not in html  # Wednesday isn't dan's


async def test_the_support_page_counts_calls_and_takes_without_names(dash: Dash) -> None:
    """Support calls counted per week, and how many someone took, for the viewer's circles;
    never who called, who took it, or the line they wrote."""
    sb = dash.sb
    await make_circle(sb, "dan", "bob")
    await sb.say("alice: /circle rota add @dan")
    await sb.say("bob: /support call a line only dan should read")
    await sb.say("alice: /support take 1")  # alice made the circle and holds it
    await dash.sign_in("alice")
    status, html = await page(dash, "/support")
    assert status == 200
    assert "<title>2026-W10, calls made: 1</title>" in html
    assert "<title>2026-W10, taken by someone: 1</title>" in html
    body = html.split("<main", 1)[1].split("<footer", 1)[0]
    for secret in ("Bob", "bob", "Dan", "a line only dan should read"):
        assert secret not in body, secret

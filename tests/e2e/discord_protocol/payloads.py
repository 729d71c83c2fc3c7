"""The JSON Discord sends, built from the model in `state.py`.

discord.py reads many fields with `data["x"]`, so a missing one raises inside a gateway parser and
kills `Client.connect()`. Comments name the discord.py 2.7 code that reads the strict fields.
"""

from __future__ import annotations

import re
from typing import Any

from .permissions import Overwrite
from .state import (
    CUSTOM_EMOJI,
    GUILD_MEMBERS,
    GUILD_PRESENCES,
    MESSAGE_CONTENT,
    Channel,
    ChannelType,
    Guild,
    Interaction,
    Json,
    Member,
    Message,
    MessageType,
    Role,
    User,
    World,
)

ATTACHMENT_SIZE_LIMIT = 10 * 1024 * 1024


def timestamp(value: Any) -> str | None:
    return value.isoformat() if value is not None else None


def user(u: User) -> Json:
    # user.BaseUser._update reads username, id, discriminator and avatar strictly.
    return {
        "id": str(u.id),
        "username": u.name,
        "global_name": u.name,
        "discriminator": "0",
        "avatar": None,
        "bot": u.bot,
        "public_flags": 0,
    }


def client_user(u: User) -> Json:
    return {**user(u), "verified": True, "mfa_enabled": False, "flags": 0, "locale": "en-US"}


def role(r: Role) -> Json:
    # role.Role._update reads name strictly; permissions are a string on the wire.
    return {
        "id": str(r.id),
        "name": r.name,
        "permissions": str(r.permissions),
        "position": r.position,
        "color": 0,
        "colors": {"primary_color": 0, "secondary_color": None, "tertiary_color": None},
        "hoist": False,
        "managed": False,
        "mentionable": False,
        "flags": 0,
        "icon": None,
        "unicode_emoji": None,
    }


def member(world: World, guild: Guild, m: Member, *, with_user: bool = True) -> Json:
    # member.Member.__init__ reads user, roles and flags strictly.
    payload: Json = {
        "roles": [str(r) for r in m.role_ids],
        "nick": m.nick,
        "avatar": None,
        "joined_at": timestamp(m.joined_at),
        "premium_since": None,
        "deaf": False,
        "mute": False,
        "pending": False,
        "flags": 0,
        "communication_disabled_until": None,
    }
    if with_user:
        payload["user"] = user(world.users[m.user_id])
    return payload


def channel(world: World, channel_id: int) -> Json:
    ch = world.channels[channel_id]
    if ch.type is ChannelType.DM:
        # channel.DMChannel reads id and recipients.
        return {
            "id": str(ch.id),
            "type": int(ch.type),
            "recipients": [user(world.users[ch.recipient_id])] if ch.recipient_id else [],
            "last_message_id": str(ch.last_message_id) if ch.last_message_id else None,
            "flags": 0,
        }
    if ch.is_thread:
        return thread(world, channel_id)
    # channel.TextChannel/ForumChannel._update read name, type and position strictly.
    payload: Json = {
        "id": str(ch.id),
        "type": int(ch.type),
        "guild_id": str(ch.guild_id),
        "name": ch.name,
        "position": ch.position,
        "parent_id": str(ch.parent_id) if ch.parent_id else None,
        "permission_overwrites": [overwrite(o) for o in ch.overwrites],
        "nsfw": False,
        "flags": 0,
    }
    if ch.type is not ChannelType.CATEGORY:
        payload |= {
            "topic": ch.topic,
            "rate_limit_per_user": 0,
            "last_message_id": str(ch.last_message_id) if ch.last_message_id else None,
        }
    if ch.type is ChannelType.FORUM:
        payload |= {
            "available_tags": [],
            "default_reaction_emoji": None,
            "default_sort_order": None,
            "default_forum_layout": 0,
        }
    return payload


def overwrite(o: Overwrite) -> Json:
    # abc.GuildChannel._fill_overwrites reads id, type, allow and deny strictly (as strings).
    return {"id": str(o.id), "type": o.type, "allow": str(o.allow), "deny": str(o.deny)}


def thread(world: World, thread_id: int) -> Json:
    th = world.channels[thread_id]
    # threads.Thread._from_data reads parent_id, owner_id, message_count, member_count and
    # thread_metadata strictly; _unroll_metadata reads archived, auto_archive_duration and
    # archive_timestamp strictly.
    return {
        "id": str(th.id),
        "type": int(th.type),
        "guild_id": str(th.guild_id),
        "parent_id": str(th.parent_id),
        "owner_id": str(th.owner_id),
        "name": th.name,
        "last_message_id": str(th.last_message_id) if th.last_message_id else None,
        "message_count": th.message_count,
        "total_message_sent": th.message_count,
        "member_count": 1,
        "rate_limit_per_user": 0,
        "flags": 0,
        "applied_tags": [],
        "thread_metadata": {
            "archived": th.archived,
            "auto_archive_duration": th.auto_archive_duration,
            "archive_timestamp": timestamp(th.created_at),
            "locked": th.locked,
            "invitable": True,
            "create_timestamp": timestamp(th.created_at),
        },
    }


def emoji(key: str) -> Json:
    custom = CUSTOM_EMOJI.match(key)
    if custom:
        return {"id": custom["id"], "name": custom["name"], "animated": bool(custom["animated"])}
    return {"id": None, "name": key}


def reactions(world: World, msg: Message) -> list[Json]:
    # reaction.Reaction reads me and emoji strictly; count covers both kinds, count_details
    # tells them apart (Get Reactions lists each kind on its own, by type).
    keys = [k for k, ids in msg.reactions.items() if ids]
    keys += [k for k, ids in msg.burst_reactions.items() if ids and k not in keys]
    found = []
    for key in keys:
        normal, burst = msg.reactions.get(key, []), msg.burst_reactions.get(key, [])
        found.append(
            {
                "emoji": emoji(key),
                "count": len(normal) + len(burst),
                "count_details": {"normal": len(normal), "burst": len(burst)},
                "burst_colors": ["#ffd166"] if burst else [],
                "me": world.bot.id in normal,
                "me_burst": world.bot.id in burst,
            }
        )
    return found


def message(world: World, msg: Message, *, gateway: bool = False, nested: bool = False) -> Json:
    """A message as REST returns it, or (gateway=True) as MESSAGE_CREATE carries it."""
    author = world.users[msg.author_id]
    guild = world.guilds.get(msg.guild_id) if msg.guild_id else None
    mentioned = [world.users[i] for i in mentioned_user_ids(msg.content) if i in world.users]
    # message.Message.__init__ reads id, type and content strictly (and MessageSnapshot, for
    # forwards, embeds, attachments, timestamp and edited_timestamp); Discord always sends all.
    payload: Json = {
        "id": str(msg.id),
        "channel_id": str(msg.channel_id),
        "type": int(msg.type),
        "author": user(author),
        "content": msg.content,
        "timestamp": timestamp(msg.timestamp),
        "edited_timestamp": timestamp(msg.edited_timestamp),
        "tts": False,
        "mention_everyone": "@everyone" in msg.content or "@here" in msg.content,
        "mentions": [user(u) for u in mentioned],
        "mention_roles": [],
        "attachments": msg.attachments,
        "embeds": msg.embeds,
        "components": msg.components,
        "pinned": msg.pinned_at is not None,
        "flags": msg.flags,
    }
    if msg.reactions or msg.burst_reactions:
        payload["reactions"] = reactions(world, msg)
    if msg.webhook_id is not None:
        payload["webhook_id"] = str(msg.webhook_id)
        payload["application_id"] = str(world.application_id)
    if msg.reference is not None:
        payload["message_reference"] = msg.reference
        # Discord returns referenced_message for replies only (null when the target is gone).
        if msg.type is MessageType.REPLY and not nested:
            referenced = world.messages.get(int(msg.reference["message_id"]))
            payload["referenced_message"] = (
                message(world, referenced, nested=True) if referenced else None
            )
    if msg.thread_id is not None and msg.thread_id in world.channels:
        payload["thread"] = thread(world, msg.thread_id)
    if gateway and guild is not None:
        # Discord puts guild_id and the author's member on gateway messages only.
        payload["guild_id"] = str(guild.id)
        if msg.author_id in guild.members and msg.webhook_id is None:
            payload["member"] = member(world, guild, guild.members[msg.author_id], with_user=False)
        for mention in payload["mentions"]:
            found = guild.members.get(int(mention["id"]))
            if found is not None:
                mention["member"] = member(world, guild, found, with_user=False)
    return payload


def mentioned_user_ids(content: str) -> list[int]:
    return [int(found) for found in re.findall(r"<@!?(\d+)>", content)]


def hides_content(world: World, data: Json, intents: int) -> bool:
    """Whether Discord blanks this message for an app with `intents`: without MESSAGE_CONTENT it
    does, except in DMs, on the app's own messages and on messages that mention it."""
    if intents & MESSAGE_CONTENT:
        return False
    where = world.channels.get(int(data["channel_id"]))
    if where is None or where.type is ChannelType.DM:
        return False
    bot_id = str(world.bot.id)
    if data["author"]["id"] == bot_id:
        return False
    return all(m["id"] != bot_id for m in data.get("mentions", []))


def without_content(payload: Json) -> Json:
    """What an app without the message content intent gets (Discord blanks these fields)."""
    return {**payload, "content": "", "embeds": [], "attachments": [], "components": []}


def guild_create(world: World, guild: Guild, *, all_members: bool) -> Json:
    # Without the GUILD_MEMBERS intent Discord sends only the bot's own member (member_count
    # stays the real count); with it, every member. discord.py asks for member chunks (op 8)
    # unless member_count == len(members) (guild.Guild.chunked).
    members = [m for m in guild.members.values() if all_members or m.user_id == world.bot.id]
    channels = [world.channels[c] for c in guild.channel_ids]
    threads = [
        c
        for c in world.channels.values()
        if c.guild_id == guild.id and c.is_thread and not c.archived
    ]
    bot_member = guild.members[world.bot.id]
    return {
        "id": str(guild.id),
        "name": guild.name,
        "icon": None,
        "splash": None,
        "discovery_splash": None,
        "banner": None,
        "description": None,
        "owner_id": str(guild.owner_id),
        "afk_channel_id": None,
        "afk_timeout": 300,
        "verification_level": 0,
        "default_message_notifications": 0,
        "explicit_content_filter": 0,
        "mfa_level": 0,
        "nsfw_level": 0,
        "premium_tier": 0,
        "premium_progress_bar_enabled": False,
        "preferred_locale": "en-US",
        "system_channel_id": None,
        "system_channel_flags": 0,
        "rules_channel_id": None,
        "public_updates_channel_id": (
            str(guild.public_updates_channel_id) if guild.public_updates_channel_id else None
        ),
        "vanity_url_code": None,
        "application_id": None,
        "features": ["COMMUNITY"] if guild.public_updates_channel_id else [],
        "roles": [role(r) for r in guild.roles.values()],
        "emojis": [],
        "stickers": [],
        "joined_at": timestamp(bot_member.joined_at),
        "large": False,
        "member_count": len(guild.members),
        "members": [member(world, guild, m) for m in members],
        "channels": [channel(world, c.id) for c in channels],
        "threads": [thread(world, t.id) for t in threads],
        "presences": [],
        "voice_states": [],
        # guild.Guild._from_data reads these lists when present; Discord always sends them.
        "stage_instances": [],
        "guild_scheduled_events": [],
        "soundboard_sounds": [],
    }


# Application flags for the privileged intents switched on in the developer portal.
GATEWAY_PRESENCE, GATEWAY_GUILD_MEMBERS, GATEWAY_MESSAGE_CONTENT = 1 << 12, 1 << 14, 1 << 18


def application(world: World) -> Json:
    # appinfo.AppInfo reads id, name, description, icon, bot_public, bot_require_code_grant,
    # owner and verify_key strictly. Its flags say which privileged intents are granted.
    granted = world.privileged_intents
    flags = (
        (GATEWAY_PRESENCE if granted & GUILD_PRESENCES else 0)
        | (GATEWAY_GUILD_MEMBERS if granted & GUILD_MEMBERS else 0)
        | (GATEWAY_MESSAGE_CONTENT if granted & MESSAGE_CONTENT else 0)
    )
    return {
        "id": str(world.application_id),
        "name": world.bot.name,
        "description": "",
        "icon": None,
        "bot_public": True,
        "bot_require_code_grant": False,
        "owner": user(world.owner),
        "verify_key": "0" * 64,
        "flags": flags,
        "bot": user(world.bot),
    }


# -- interaction options: small builders so tests read like what a user typed --

OPTION_TYPES = {str: 3, int: 4, bool: 5, float: 10}
SUB_COMMAND, SUB_COMMAND_GROUP, USER, CHANNEL, ROLE = 1, 2, 6, 7, 8


def option(name: str, value: Any, *, focused: bool = False) -> Json:
    """A filled-in option. A User, Channel or Role model becomes a resolved snowflake option."""
    if isinstance(value, User):
        payload: Json = {"name": name, "type": USER, "value": str(value.id)}
    elif isinstance(value, Channel):
        payload = {"name": name, "type": CHANNEL, "value": str(value.id)}
    elif isinstance(value, Role):
        payload = {"name": name, "type": ROLE, "value": str(value.id)}
    else:
        payload = {"name": name, "type": OPTION_TYPES[type(value)], "value": value}
    if focused:
        payload["focused"] = True
    return payload


def subcommand(name: str, *options: Json) -> Json:
    return {"name": name, "type": SUB_COMMAND, "options": list(options)}


def subcommand_group(name: str, *subcommands: Json) -> Json:
    return {"name": name, "type": SUB_COMMAND_GROUP, "options": list(subcommands)}


def _leaf_options(options: list[Json]) -> list[Json]:
    leaves = []
    for opt in options:
        if opt["type"] in (SUB_COMMAND, SUB_COMMAND_GROUP):
            leaves.extend(_leaf_options(opt.get("options", [])))
        else:
            leaves.append(opt)
    return leaves


def resolved(world: World, guild: Guild | None, options: list[Json]) -> Json:
    """The `resolved` map Discord attaches for user, channel and role options."""
    found: Json = {}
    for opt in _leaf_options(options):
        snowflake = int(opt["value"]) if opt["type"] in (USER, CHANNEL, ROLE) else None
        if opt["type"] == USER and snowflake in world.users:
            found.setdefault("users", {})[str(snowflake)] = user(world.users[snowflake])
            if guild is not None and snowflake in guild.members:
                data = member(world, guild, guild.members[snowflake], with_user=False)
                data["permissions"] = str(world.permissions(guild, snowflake))
                found.setdefault("members", {})[str(snowflake)] = data
        elif opt["type"] == CHANNEL and snowflake in world.channels:
            ch = channel(world, snowflake)
            found.setdefault("channels", {})[str(snowflake)] = ch | {"permissions": str(0)}
        elif opt["type"] == ROLE and guild is not None and snowflake in guild.roles:
            found.setdefault("roles", {})[str(snowflake)] = role(guild.roles[snowflake])
    return found


def interaction(world: World, i: Interaction) -> Json:
    # interactions.Interaction._from_data reads id, type, token, version, application_id and
    # attachment_size_limit strictly; context, locale and the channel object are read when present.
    guild = world.guilds.get(i.guild_id) if i.guild_id else None
    invoker = world.users[i.user_id]
    payload: Json = {
        "id": str(i.id),
        "application_id": str(world.application_id),
        "type": i.type,
        "token": i.token,
        "version": 1,
        "data": i.data,
        "channel_id": str(i.channel_id),
        "channel": channel(world, i.channel_id),
        "locale": i.locale,
        "entitlements": [],
        "entitlement_sku_ids": [],
        "attachment_size_limit": ATTACHMENT_SIZE_LIMIT,
    }
    if guild is not None:
        # Both permission sets are the ones in the channel, overwrites applied.
        where = world.channels[i.channel_id]
        data = member(world, guild, guild.members[invoker.id])
        data["permissions"] = str(world.channel_permissions(where, invoker.id))
        payload |= {
            "guild_id": str(guild.id),
            "guild": {"id": str(guild.id), "locale": "en-US", "features": []},
            "guild_locale": "en-US",
            "member": data,
            "app_permissions": str(world.channel_permissions(where, world.bot.id)),
            "authorizing_integration_owners": {"0": str(guild.id)},  # installed to the guild
            "context": 0,  # GUILD
        }
    else:
        payload |= {
            "user": user(invoker),
            "app_permissions": str(0),
            "authorizing_integration_owners": {"0": "0"},
            "context": 1,  # BOT_DM
        }
    return payload

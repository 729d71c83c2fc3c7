"""Which gateway event Discord sends after each change, and to which intents.

Both the REST routes (the bot changed something) and the test API (a user did) go through here,
so the bot sees its own actions echoed exactly like everybody else's, as on Discord.
"""

from __future__ import annotations

from . import payloads
from .gateway import Gateway
from .state import (
    DIRECT_MESSAGE_REACTIONS,
    DIRECT_MESSAGES,
    GUILD_MEMBERS,
    GUILD_MESSAGE_REACTIONS,
    GUILD_MESSAGES,
    GUILDS,
    Channel,
    Guild,
    Json,
    Member,
    Message,
    World,
)


class Events:
    def __init__(self, world: World, gateway: Gateway) -> None:
        self.world = world
        self.gateway = gateway

    async def message_created(self, msg: Message) -> None:
        await self._message_event("MESSAGE_CREATE", msg)

    async def message_updated(self, msg: Message) -> None:
        # Since API v10 MESSAGE_UPDATE carries the whole message (state.parse_message_update
        # builds a full Message from it).
        await self._message_event("MESSAGE_UPDATE", msg)

    async def message_deleted(self, msg: Message) -> None:
        data = {"id": str(msg.id), "channel_id": str(msg.channel_id)} | self._guild_field(
            msg.guild_id
        )
        await self.gateway.dispatch("MESSAGE_DELETE", data, intents=self._message_intent(msg))

    async def reaction_added(
        self, msg: Message, user_id: int, emoji: str, *, burst: bool = False
    ) -> None:
        data = self._reaction(msg, user_id, emoji, burst=burst) | {
            "message_author_id": str(msg.author_id),
            "burst_colors": ["#ffd166"] if burst else [],
        }
        guild = self.world.guilds.get(msg.guild_id) if msg.guild_id else None
        if guild is not None and user_id in guild.members:
            # state.parse_message_reaction_add builds raw.member from it.
            data["member"] = payloads.member(self.world, guild, guild.members[user_id])
        await self.gateway.dispatch(
            "MESSAGE_REACTION_ADD", data, intents=self._reaction_intent(msg)
        )

    async def reaction_removed(
        self, msg: Message, user_id: int, emoji: str, *, burst: bool = False
    ) -> None:
        data = self._reaction(msg, user_id, emoji, burst=burst)
        await self.gateway.dispatch(
            "MESSAGE_REACTION_REMOVE", data, intents=self._reaction_intent(msg)
        )

    async def thread_created(self, thread: Channel) -> None:
        # newly_created makes discord.py fire on_thread_create rather than on_thread_join.
        data = payloads.thread(self.world, thread.id) | {"newly_created": True}
        await self.gateway.dispatch("THREAD_CREATE", data, intents=GUILDS)

    async def thread_updated(self, thread: Channel) -> None:
        await self.gateway.dispatch(
            "THREAD_UPDATE", payloads.thread(self.world, thread.id), intents=GUILDS
        )

    async def pins_updated(self, channel: Channel, last_pin: Message | None) -> None:
        data: Json = {
            "channel_id": str(channel.id),
            "last_pin_timestamp": payloads.timestamp(last_pin.pinned_at) if last_pin else None,
        } | self._guild_field(channel.guild_id)
        intents = GUILDS if channel.guild_id else DIRECT_MESSAGES
        await self.gateway.dispatch("CHANNEL_PINS_UPDATE", data, intents=intents)

    async def member_joined(self, guild: Guild, member: Member) -> None:
        data = payloads.member(self.world, guild, member) | {"guild_id": str(guild.id)}
        await self.gateway.dispatch("GUILD_MEMBER_ADD", data, intents=GUILD_MEMBERS)

    async def member_left(self, guild: Guild, user_id: int) -> None:
        data = {"guild_id": str(guild.id), "user": payloads.user(self.world.users[user_id])}
        await self.gateway.dispatch("GUILD_MEMBER_REMOVE", data, intents=GUILD_MEMBERS)

    async def role_updated(self, guild: Guild, role_id: int) -> None:
        data = {"guild_id": str(guild.id), "role": payloads.role(guild.roles[role_id])}
        await self.gateway.dispatch("GUILD_ROLE_UPDATE", data, intents=GUILDS)

    async def channel_updated(self, channel: Channel) -> None:
        if channel.is_thread:
            await self.thread_updated(channel)
        else:
            data = payloads.channel(self.world, channel.id)
            await self.gateway.dispatch("CHANNEL_UPDATE", data, intents=GUILDS)

    async def interaction_created(self, data: Json) -> None:
        await self.gateway.dispatch("INTERACTION_CREATE", data)  # needs no intent

    async def _message_event(self, event: str, msg: Message) -> None:
        data = payloads.message(self.world, msg, gateway=True)
        await self.gateway.dispatch(event, data, intents=self._message_intent(msg))

    def _reaction(self, msg: Message, user_id: int, emoji: str, *, burst: bool) -> Json:
        # raw_models.RawReactionActionEvent reads message_id, channel_id, user_id and type strictly.
        return {
            "user_id": str(user_id),
            "channel_id": str(msg.channel_id),
            "message_id": str(msg.id),
            "emoji": payloads.emoji(emoji),
            "burst": burst,
            "type": 1 if burst else 0,  # a super reaction, or a normal one
        } | self._guild_field(msg.guild_id)

    @staticmethod
    def _guild_field(guild_id: int | None) -> Json:
        return {"guild_id": str(guild_id)} if guild_id else {}

    @staticmethod
    def _message_intent(msg: Message) -> int:
        return GUILD_MESSAGES if msg.guild_id else DIRECT_MESSAGES

    @staticmethod
    def _reaction_intent(msg: Message) -> int:
        return GUILD_MESSAGE_REACTIONS if msg.guild_id else DIRECT_MESSAGE_REACTIONS

"""Circles: groups bound to a room, with members, a facilitation rota and check-in rounds."""

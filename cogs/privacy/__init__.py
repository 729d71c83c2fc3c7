"""Privacy: what the bot keeps about you, a copy of it, and forgetting it everywhere."""

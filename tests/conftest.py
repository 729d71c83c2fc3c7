pytest_plugins = ["tests.e2e.discord_fixtures"]

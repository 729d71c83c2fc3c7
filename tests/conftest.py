pytest_plugins = ["tests.e2e.synapse_fixtures"]

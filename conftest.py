pytest_plugins = ["cchc_shared.testing.pytest_plugin"]

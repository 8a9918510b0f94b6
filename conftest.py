pytest_plugins = ["cchc_testkit.pytest_plugin"]

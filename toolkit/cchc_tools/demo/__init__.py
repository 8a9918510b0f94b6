"""``cchc demo`` (interim: everything is still in ``scenario``)."""

from cchc_tools.demo.scenario import *  # noqa: F403

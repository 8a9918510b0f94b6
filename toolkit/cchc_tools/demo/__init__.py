"""``cchc demo``: plays a realistic 2023 campaign against a running system.

Only the public surfaces are used: the four services' HTTP APIs and the ``cchc.inbound``
exchange (as another city platform would). Steps:

1. about 150 initiatives from city departments, districts and wards of the reference data,
   with Vietnamese titles and summaries generated from templates per PAR area: most through
   intake's HTTP API (the secretariat submitting for the agency), some as InitiativeSubmitted
   events on ``cchc.inbound`` from another platform, and a few invalid inbound messages
   that intake must reject;
2. wait until scheduling's pool has them, ask the planner for rounds, accept and confirm them;
3. every team member records an evaluation of each visit (surveyor tokens bound to members);
4. the secretariat records sector opinions and decides (recommends the best ones);
5. wait until reporting shows it all, and with ``--out DIR`` download the documents.

**Running it twice.** The demo always plays campaign 2023 and tolerates what is already there:
generation is deterministic (seeded), an HTTP submission answered 409 (same title) reuses the
existing initiative, inbound messages carry deterministic ids (intake takes a (source, id)
once), the planner only plans initiatives not yet in a round, and evaluations or decisions
that already exist are skipped. The summary counts what the system holds for 2023.

To take HTTP submissions for 2023 today, the demo (admin) widens the campaign's submission
window to today, then puts the original closing date back.

The modules: ``settings`` (settings, constants, summary), ``scenario`` (the generated campaign),
``client`` (HTTP helpers), one per phase (``intake``, ``planning``, ``evaluation``,
``decisions``, ``reporting``), ``progress`` (the progress bar) and ``run`` (the phases in
order, and ``main``).
"""

from __future__ import annotations

from cchc_tools.demo.run import main, run_demo
from cchc_tools.demo.scenario import Proposal, generate, invalid_messages
from cchc_tools.demo.settings import SERVICES, YEAR, DemoError, DemoSettings, DemoSummary

__all__ = [
    "SERVICES",
    "YEAR",
    "DemoError",
    "DemoSettings",
    "DemoSummary",
    "Proposal",
    "generate",
    "invalid_messages",
    "main",
    "run_demo",
]

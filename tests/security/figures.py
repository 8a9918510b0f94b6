"""What the security suite tried and how each attempt was answered, printed at the end of
the run (``conftest.pytest_terminal_summary``): the suite's figures beside its pass/fail."""

from __future__ import annotations

from collections import Counter, defaultdict

# area -> what -> how many
FIGURES: defaultdict[str, Counter[str]] = defaultdict(Counter)

# Each area's module, and the figures always shown for it (0 included) in this order; any
# other figure an area records follows them.
AREAS: dict[str, tuple[str, tuple[str, ...]]] = {
    "authorization matrix": (
        "test_authorization_matrix",
        (
            "operations",
            "requests",
            "let in",
            "refused 403/404",
            "refused 401 without a token",
            "server errors",
        ),
    ),
    "tenant isolation": ("test_tenant_isolation", ()),
    "tokens": ("test_tokens", ("tampered or malformed tokens", "refused 401", "genuine, let in")),
    "provider tokens": (
        "test_provider_tokens",
        (
            "provider tokens tried",
            "forged tokens",
            "refused 401",
            "refused 403",
            "genuine, let in",
            "after rotation, let in",
        ),
    ),
    "token limits": (
        "test_token_limits",
        (
            "tokens outside the limits",
            "refused 401",
            "let in",
            "issued after the revocation, let in",
        ),
    ),
    "http hygiene": (
        "test_http_hygiene",
        (
            "responses checked for headers",
            "with every header",
            "docs and metrics paths with production settings",
            "not served",
            "numbers sent as text or booleans",
            "dates outside 1900-2100",
            "refused 422 naming the field",
            "tokens naming an unknown agency or member",
            "refused 403",
        ),
    ),
    "slow clients": (
        "test_slow_clients",
        ("slow connections", "closed by the server", "requests answered meanwhile"),
    ),
    "schemathesis": ("test_schemathesis", ("generated requests", "failed checks (server errors)")),
    "body size": ("test_body_size", ("oversized bodies", "refused", "server errors")),
    "inbound validator": (
        "test_inbound_fuzzing",
        ("mutated events", "refused with a field and a reason", "still valid, accepted"),
    ),
    "visibility": (
        "test_visibility",
        (
            "answers checked",
            "withheld before the decision",
            "same outcome in both services",
            "another agency refused 404",
        ),
    ),
    "broker permissions": (
        "test_broker_permissions",
        ("permission checks", "live attempts refused by the broker"),
    ),
    "forged events": (
        "test_forged_events",
        (
            "attempts on the broker",
            "refused by the broker",
            "parked by the consumer",
            "replays, each to its own queue",
            "genuine, delivered",
        ),
    ),
    "text confusion": (
        "test_text_confusion",
        (
            "look-alike titles",
            "refused as duplicates",
            "stored without format characters",
            "file names with U+202E",
            "stored without it",
            "formula cells exported",
            "quoted in CSV",
            "string cells in XLSX",
        ),
    ),
}
AREA_OF_MODULE = {module: area for area, (module, _) in AREAS.items()}


def count(area: str, what: str, n: int = 1) -> None:
    FIGURES[area][what] += n


def lines() -> list[str]:
    out = []
    for area, (_, shown_first) in AREAS.items():
        figures = FIGURES.get(area)
        if not figures:
            continue  # no test of this area ran
        names = [*shown_first, *sorted(k for k in figures if k not in shown_first)]
        out.append(f"{area:<21} " + ", ".join(f"{name}: {figures[name]}" for name in names))
    return out

"""The ``cchc`` command: run the services, issue development tokens, inspect and
replay parked messages, apply migrations."""

from __future__ import annotations

import argparse
import os
import signal
import subprocess
import sys
import threading
import time
from collections.abc import Sequence

SERVICES = (
    "intake",
    "scheduling",
    "evaluation",
    "reporting",
    "notifications",
    "replication",
    "portal",
)
DEFAULT_PORTS = {
    "portal": 8000,
    "intake": 8001,
    "scheduling": 8002,
    "evaluation": 8003,
    "reporting": 8004,
    "notifications": 8005,
    "replication": 8006,
}
# The web pages: no API documents, and in the local run the development sign-in.
PAGES = frozenset({"portal"})
DEFAULT_AMQP_URL = "amqp://guest:guest@localhost:5672/"


def _amqp_url() -> str:
    return os.environ.get("CCHC_AMQP_URL", DEFAULT_AMQP_URL)


def _port(service: str) -> str:
    return os.environ.get(f"CCHC_{service.upper()}_HTTP_PORT", str(DEFAULT_PORTS[service]))


def _pump(name: str, stream: object, width: int) -> None:
    prefix = f"{name:<{width}} | "
    for line in iter(stream.readline, ""):  # type: ignore[attr-defined]
        sys.stdout.write(prefix + line)
        sys.stdout.flush()


def run_services(services: Sequence[str]) -> int:
    """Start each service as its own process; merged, prefixed logs; Ctrl-C stops them all."""
    width = max(len(s) for s in services)
    env = {**os.environ, "PYTHONUNBUFFERED": "1"}
    env.setdefault("CCHC_LOG_FORMAT", "text")
    # The local run signs people in at /dev/sign-in (images and manifests never set this).
    env.setdefault("CCHC_PORTAL_DEVELOPMENT_SIGN_IN", "true")
    # The portal calls the APIs where this run serves them.
    for api in SERVICES:
        if api not in PAGES:
            env.setdefault(f"CCHC_PORTAL_{api.upper()}_URL", f"http://127.0.0.1:{_port(api)}")
    # Notifications fetches the notices' PDFs from scheduling's API.
    env.setdefault("CCHC_NOTIFICATIONS_SCHEDULING_URL", f"http://127.0.0.1:{_port('scheduling')}")
    processes: dict[str, subprocess.Popen[str]] = {}
    for name in services:
        processes[name] = subprocess.Popen(
            [sys.executable, "-m", f"cchc_{name}", "serve"],
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
            text=True,
            env=env,
        )
        threading.Thread(
            target=_pump, args=(name, processes[name].stdout, width), daemon=True
        ).start()
    for name in services:
        url = f"http://127.0.0.1:{_port(name)}"
        entry = f"{url}/sign-in" if name in PAGES else f"{url}/docs"
        print(f"{name:<{width}} | {entry}  health: {url}/health/ready  metrics: {url}/metrics")

    stopping = False

    def stop(*_: object) -> None:
        nonlocal stopping
        stopping = True

    signal.signal(signal.SIGINT, stop)
    signal.signal(signal.SIGTERM, stop)
    exit_code = 0
    while not stopping:
        for name, process in processes.items():
            if process.poll() is not None:
                print(
                    f"{name:<{width}} | exited with code {process.returncode}; stopping the others"
                )
                exit_code = process.returncode or 1
                stopping = True
                break
        time.sleep(0.2)
    for process in processes.values():
        if process.poll() is None:
            process.send_signal(signal.SIGTERM)
    deadline = time.monotonic() + 40
    for process in processes.values():
        try:
            process.wait(timeout=max(0.1, deadline - time.monotonic()))
        except subprocess.TimeoutExpired:
            process.kill()
    return exit_code


def migrate_services(services: Sequence[str]) -> int:
    for name in services:
        result = subprocess.run([sys.executable, "-m", f"cchc_{name}", "migrate"], check=False)
        if result.returncode != 0:
            return result.returncode
    return 0


def _services(values: list[str]) -> list[str]:
    unknown = [v for v in values if v not in SERVICES]
    if unknown:
        raise SystemExit(
            f"unknown service(s): {', '.join(unknown)}; choose from {', '.join(SERVICES)}"
        )
    return values or list(SERVICES)


def main(argv: list[str] | None = None) -> int:
    argv = sys.argv[1:] if argv is None else argv
    if argv[:1] == ["token"]:
        # argparse.REMAINDER does not take options (`--role ...`) after a subcommand, so
        # `cchc token` hands its arguments straight to its own parser.
        from cchc_tools.token import main_token

        return main_token(argv[1:])
    parser = argparse.ArgumentParser(prog="cchc", description="CCHC platform command line")
    commands = parser.add_subparsers(dest="command", required=True)

    run = commands.add_parser(
        "run", help="start services (default: all six), each as its own process"
    )
    run.add_argument("services", nargs="*", metavar="SERVICE")

    migrate = commands.add_parser("migrate", help="apply database migrations")
    migrate.add_argument("services", nargs="*", metavar="SERVICE")

    token = commands.add_parser("token", help="print a development bearer token", add_help=False)
    token.add_argument("rest", nargs=argparse.REMAINDER)

    demo = commands.add_parser(
        "demo", help="play a realistic 2023 campaign against the running system"
    )
    demo.add_argument("--out", metavar="DIR", help="save the resulting documents in DIR")
    demo.add_argument("--seed", type=int, default=2023, help="seed of the generated campaign")
    demo.add_argument("--count", type=int, default=150, help="valid initiatives to submit")
    demo.add_argument("--inbound", type=int, default=24, help="of which through cchc.inbound")

    dlq = commands.add_parser("dlq", help="parked (dead-lettered) messages")
    dlq_commands = dlq.add_subparsers(dest="dlq_command", required=True)
    dlq_list = dlq_commands.add_parser("list", help="show parked messages with their reason")
    dlq_list.add_argument("--queue", action="append", help="a consumer queue (repeatable)")
    dlq_list.add_argument("--json", action="store_true")
    dlq_replay = dlq_commands.add_parser("replay", help="send parked messages back to their queue")
    dlq_replay.add_argument("--queue", action="append", help="a consumer queue (repeatable)")
    dlq_replay.add_argument("--id", action="append", dest="ids", help="a message id (repeatable)")
    dlq_replay.add_argument("--all", action="store_true", help="replay every parked message")

    args = parser.parse_args(argv)
    if args.command == "run":
        return run_services(_services(args.services))
    if args.command == "migrate":
        return migrate_services(_services(args.services))
    if args.command == "token":
        from cchc_tools.token import main_token

        return main_token(args.rest)
    if args.command == "demo":
        from cchc_tools.demo import main as demo_main

        return demo_main(args.out, args.seed, args.count, args.inbound)
    from cchc_tools import dlq as dlq_tool

    if args.dlq_command == "list":
        return dlq_tool.run_list(_amqp_url(), args.queue, args.json)
    if not (args.all or args.ids or args.queue):
        parser.error("dlq replay needs --queue, --id or --all")
    return dlq_tool.run_replay(_amqp_url(), args.queue, args.ids)


if __name__ == "__main__":
    raise SystemExit(main())

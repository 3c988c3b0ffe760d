"""`wattlog`: one command-line program, one subcommand per process.

Each subcommand's module is imported only when that subcommand runs, so that nothing
opens a connection (or even imports bleak) at import time.
"""

from __future__ import annotations

import argparse
import importlib
import sys
from collections.abc import Sequence

from adapters.logs import configure_logging
from adapters.settings import Settings, SettingsError

# name -> (module with `add_arguments(parser)` and `run(settings, args) -> int`, help)
SUBCOMMANDS: dict[str, tuple[str, str]] = {
    "up": ("adapters.up", "run the whole stack on this machine with a simulated ride"),
    "migrate": ("projections.migrate_command", "create or update the database schema"),
    "topology": ("adapters.amqp.topology_command", "declare the RabbitMQ exchanges and queues"),
    "api": ("adapters.api.main", "serve the REST API, WebSockets and dashboard"),
    "ingest": ("adapters.ingest.main", "consume bridge samples into the event store"),
    "relay": ("adapters.relay.main", "publish committed events to RabbitMQ"),
    "simulate": ("adapters.simulate_command", "publish simulated rides over AMQP"),
    "bridge": ("bridge.main", "the desktop bridge: BLE sensors to wattlog"),
    "project": ("projections.main", "run the projectors (or rebuild one)"),
    "import": ("adapters.importers.command", "import ride files (FIT) for an athlete"),
    "dead-letters": (
        "adapters.amqp.dead_letters_command",
        "list the dead letters, or requeue them once their cause is fixed",
    ),
}


def build_parser(requested: str | None = None) -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="wattlog",
        description="wattlog: event-sourced cycling training with Bluetooth LE sensors",
    )
    commands = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")
    for name, (module_name, help_text) in SUBCOMMANDS.items():
        sub = commands.add_parser(name, help=help_text, description=help_text)
        sub.set_defaults(module=module_name)
        # Arguments are declared by the subcommand's module; import it only for this one.
        if name == requested:
            importlib.import_module(module_name).add_arguments(sub)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    argv = list(sys.argv[1:] if argv is None else argv)
    args = build_parser(argv[0] if argv else None).parse_args(argv)
    try:
        settings = Settings.from_env()
    except SettingsError as error:
        print(f"wattlog: configuration error: {error}", file=sys.stderr)
        return 2
    configure_logging(args.command, settings.log_level)
    module = importlib.import_module(args.module)
    try:
        return int(module.run(settings, args) or 0)
    except KeyboardInterrupt:
        return 130
    except Exception as error:
        # A service that is down is the user's to fix, not a bug: one line, no traceback.
        from adapters.reachability import EXIT_UNREACHABLE, explain

        line = explain(error, settings)
        if line is None:
            raise
        print(f"wattlog {args.command}: {line}", file=sys.stderr)
        return EXIT_UNREACHABLE


if __name__ == "__main__":
    sys.exit(main())

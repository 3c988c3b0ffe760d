"""`wattlog bridge`: the desktop bridge (BLE sensors to wattlog), and its small tools.

    wattlog bridge [options]                 run: sensors -> outbox -> broker, commands -> trainer
    wattlog bridge --simulate [options]      the same with a virtual trainer and HR strap
    wattlog bridge decode CHARACTERISTIC HEX print a payload's decoded values as JSON
    wattlog bridge scan [--remember | --choose ADDRESS ...]   list the sensors in range
    wattlog bridge forget                    forget the remembered sensors

docs/bridge.md describes the options, files and policies.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import logging
import os
import signal
import sys
from collections.abc import AsyncIterator, Mapping
from typing import Any, TextIO

import orjson

from bridge.app import Bridge, SensorSource
from bridge.ble.connection import BleBackends, LinkTimeouts
from bridge.ble.devices import DeviceBook, KnownDevice, choose_devices
from bridge.ble.sensors import BleSensors
from bridge.config import BridgeConfig, ConfigError, load_config
from bridge.datadir import DataDirLocked, locked_data_dir
from bridge.gatt.errors import GattDecodeError
from bridge.gatt.registry import decode_characteristic
from bridge.outbox import AsyncOutbox, OutboxError

log = logging.getLogger(__name__)

OUTBOX_FILE = "outbox.sqlite3"
EXIT_USAGE = 2


def add_arguments(parser: argparse.ArgumentParser) -> None:
    _common(parser, None)
    parser.add_argument("--client-id", help="this bridge's id (env WATTLOG_BRIDGE_CLIENT_ID)")
    parser.add_argument(
        "--password",
        help="this bridge's RabbitMQ password (prefer env WATTLOG_BRIDGE_PASSWORD or the config"
        " file: command lines are visible to other users)",
    )
    parser.add_argument(
        "--amqp-url",
        help="broker and vhost, amqp:// or amqps:// (env WATTLOG_BRIDGE_AMQP_URL;"
        " default: WATTLOG_AMQP_URL's host and vhost)",
    )
    parser.add_argument("--ca-file", help="PEM file of the CA that signed the broker's certificate")
    parser.add_argument(
        "--device",
        dest="devices",
        action="append",
        metavar="ADDRESS",
        help="use this sensor (repeat for several); default: the remembered ones",
    )
    parser.add_argument(
        "--simulate",
        action="store_true",
        default=None,
        help="ride a virtual trainer and heart-rate strap instead of BLE hardware",
    )
    parser.add_argument(
        "--simulate-radio",
        choices=("auto", "bumble", "direct"),
        help="how --simulate reaches the virtual devices: over bumble's emulated BLE radio"
        " (auto, when bumble is installed) or handed over in-process (direct)",
    )
    parser.add_argument("--status", choices=("auto", "line", "log", "off"), help="status output")
    parser.add_argument("--outbox-max-bytes", type=int, help="disk budget of the outbox")
    parser.add_argument("--backlog-rate", type=float, help="samples/s while draining a backlog")
    parser.add_argument(
        "--send-interval-s",
        type=float,
        help="seconds between sends of live samples (default 0.5; 0: each as it happens)",
    )
    parser.add_argument("--command-ttl-s", type=float, help="never apply older commands")
    parser.add_argument("--scan-timeout-s", type=float, help="how long one scan lasts")
    tools = parser.add_subparsers(dest="bridge_command", metavar="TOOL")
    decode = tools.add_parser("decode", help="decode one GATT payload and print it as JSON")
    decode.add_argument("characteristic", help='e.g. 2ad2, 0x2A37, "indoor_bike_data"')
    decode.add_argument("hex", nargs="+", help="the payload in hex (spaces and colons allowed)")
    scan = tools.add_parser("scan", help="list the sensors in range")
    _common(scan, argparse.SUPPRESS)
    scan.add_argument("--timeout", type=float, default=10.0, help="seconds to scan (default 10)")
    scan.add_argument("--remember", action="store_true", help="remember one sensor per kind")
    scan.add_argument("--choose", action="append", metavar="ADDRESS", help="remember these")
    forget = tools.add_parser("forget", help="forget the remembered sensors")
    _common(forget, argparse.SUPPRESS)


def _common(parser: argparse.ArgumentParser, default: Any) -> None:
    parser.add_argument(
        "--data-dir",
        default=default,
        help="outbox and remembered sensors (default ~/.local/share/wattlog-bridge)",
    )
    parser.add_argument("--config", default=default, help="TOML config file")


def run(_server_settings: object, args: argparse.Namespace) -> int:
    """`wattlog bridge`. The server's settings that the command line passes are not used: the
    bridge reads its own (bridge/config.py), without the server's secrets."""
    if args.bridge_command == "decode":
        return decode_payload(args.characteristic, "".join(args.hex))
    try:
        config = _config(args, os.environ, require_credentials=args.bridge_command is None)
        with locked_data_dir(config.data_path):
            if args.bridge_command == "forget":
                DeviceBook(config.data_path).forget()
                print("the remembered sensors are forgotten; the next run scans again")
                return 0
            if args.bridge_command == "scan":
                return asyncio.run(_scan(config, args.timeout, args.remember, args.choose or []))
            asyncio.run(_until_signalled(config))
            return 0
    except (ConfigError, DataDirLocked, OutboxError) as error:
        print(f"wattlog bridge: {error}", file=sys.stderr)
        return EXIT_USAGE


def decode_payload(characteristic: str, hex_text: str, out: TextIO | None = None) -> int:
    """Prints the decoded values as JSON (exit 0), or one line on stderr (exit 2)."""
    out = out or sys.stdout
    cleaned = hex_text.strip().lower().removeprefix("0x")
    for separator in (" ", ":", "-"):
        cleaned = cleaned.replace(separator, "")
    try:
        values = decode_characteristic(characteristic, bytes.fromhex(cleaned))
    except GattDecodeError as error:
        print(f"wattlog bridge decode: {error}", file=sys.stderr)
        return EXIT_USAGE
    except ValueError:
        print(f"wattlog bridge decode: {hex_text!r} is not hexadecimal", file=sys.stderr)
        return EXIT_USAGE
    out.write(orjson.dumps(values, option=orjson.OPT_INDENT_2).decode() + "\n")
    return 0


def _config(
    args: argparse.Namespace, environ: Mapping[str, str], require_credentials: bool
) -> BridgeConfig:
    cli = {key: value for key, value in vars(args).items() if value is not None}
    if "devices" in cli:
        cli["devices"] = tuple(cli["devices"])
    # The stack-wide WATTLOG_AMQP_URL and WATTLOG_COMMAND_TTL_MS, when set, are the bridge's
    # defaults, so that one environment serves every process on one machine.
    ttl_ms = environ.get("WATTLOG_COMMAND_TTL_MS")
    try:
        default_ttl_s = int(ttl_ms) / 1000 if ttl_ms is not None else None
    except ValueError:
        raise ConfigError(
            f"WATTLOG_COMMAND_TTL_MS must be a whole number, got {ttl_ms!r}"
        ) from None
    return load_config(
        cli,
        environ,
        default_amqp_url=environ.get("WATTLOG_AMQP_URL"),
        default_command_ttl_s=default_ttl_s,
        require_credentials=require_credentials,
    )


async def _until_signalled(config: BridgeConfig) -> None:
    """Serves until SIGINT or SIGTERM."""
    loop = asyncio.get_running_loop()
    stop = asyncio.Event()
    for signum in (signal.SIGINT, signal.SIGTERM):
        loop.add_signal_handler(signum, stop.set)
    await serve(config, stop)


async def serve(config: BridgeConfig, stop: asyncio.Event) -> None:
    outbox = await AsyncOutbox.open(config.data_path / OUTBOX_FILE, config.outbox_max_bytes)
    try:
        bridge = Bridge(config, outbox)
        log.info(
            "bridge starting",
            extra={
                "client_id": config.client_id,
                "broker": config.shown_url,
                "simulate": config.simulate,
            },
        )
        async with _sensors(config, bridge) as sensors:
            await bridge.run(stop, sensors)
    finally:
        await outbox.close()
        log.info("bridge stopped")


@contextlib.asynccontextmanager
async def _sensors(config: BridgeConfig, bridge: Bridge) -> AsyncIterator[SensorSource]:
    timeouts = LinkTimeouts(scan_s=config.scan_timeout_s, connect_s=config.connect_timeout_s)
    if not config.simulate:
        yield BleSensors(
            bridge.recorder.enqueue,
            bridge.controller,
            bridge.status,
            book=DeviceBook(config.data_path),
            addresses=config.devices,
            timeouts=timeouts,
        )
        return
    if _use_bumble(config):
        from bridge.simulation import EmulatedRide

        ride = EmulatedRide()
        await ride.start()
        riding = asyncio.create_task(ride.run())
        try:
            yield BleSensors(
                bridge.recorder.enqueue,
                bridge.controller,
                bridge.status,
                backends=ride.backends(),
                devices=ride.devices(),
                timeouts=timeouts,
            )
        finally:
            riding.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await riding
            await ride.stop()
        return
    from bridge.sim_direct import DirectRide

    yield DirectRide(bridge.recorder.enqueue, bridge.controller)


def _use_bumble(config: BridgeConfig) -> bool:
    if config.simulate_radio == "direct":
        return False
    try:
        import bumble  # noqa: F401
    except ImportError:
        if config.simulate_radio == "bumble":
            raise ConfigError("--simulate-radio bumble needs bumble (the dev extra)") from None
        log.info("bumble is not installed: the virtual devices are handed over in-process")
        return False
    return True


async def _scan(config: BridgeConfig, timeout_s: float, remember: bool, choose: list[str]) -> int:
    from bridge.ble.scanner import discover

    backends = BleBackends()
    ride = None
    if config.simulate:
        from bridge.simulation import EmulatedRide

        ride = EmulatedRide()
        await ride.start()
        backends = ride.backends()
    try:
        found = await discover(timeout_s, backends.scanner)
    finally:
        if ride is not None:
            await ride.stop()
    for device in found:
        kinds = ",".join(kind.value for kind in device.kinds)
        print(f"{device.address}  {kinds:<24} {device.rssi:>4} dBm  {device.name}")
    if not found:
        print("no sensors found (are they awake? pedal, or wet the strap's contacts)")
    chosen: list[KnownDevice] = []
    if choose:
        wanted = {a.upper() for a in choose}
        chosen = choose_devices(d for d in found if d.address.upper() in wanted)
    elif remember:
        chosen = choose_devices(found)
    if chosen:
        DeviceBook(config.data_path).save(chosen)
        for known in chosen:
            print(f"remembered {known.address} as {known.kinds[0].value}")
    return 0

"""AMQPS: the bridge verifies the broker's certificate, against a CA file when given one.
A TLS-terminating proxy on 127.0.0.1 (certificate from a throwaway CA) fronts the broker."""

from __future__ import annotations

import datetime
import ipaddress
import ssl
from collections.abc import AsyncIterator
from pathlib import Path

import pytest
from bridge_harness import BridgeAccount, Riding, TcpProxy, bridge_config, running_bridge
from pipeline_helpers import eventually

from adapters.settings import Settings
from bridge.simulation import EmulatedRide

x509 = pytest.importorskip("cryptography.x509")
from cryptography.hazmat.primitives import hashes, serialization  # noqa: E402
from cryptography.hazmat.primitives.asymmetric import ec  # noqa: E402
from cryptography.x509.oid import NameOID  # noqa: E402


def _certificate(
    subject: str,
    key: ec.EllipticCurvePrivateKey,
    issuer: str,
    issuer_key: ec.EllipticCurvePrivateKey,
    ca: bool,
) -> x509.Certificate:
    now = datetime.datetime.now(datetime.UTC)
    builder = (
        x509.CertificateBuilder()
        .subject_name(x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, subject)]))
        .issuer_name(x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, issuer)]))
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - datetime.timedelta(minutes=5))
        .not_valid_after(now + datetime.timedelta(hours=1))
        .add_extension(x509.BasicConstraints(ca=ca, path_length=None), critical=True)
    )
    if not ca:
        builder = builder.add_extension(
            x509.SubjectAlternativeName(
                [x509.DNSName("localhost"), x509.IPAddress(ipaddress.ip_address("127.0.0.1"))]
            ),
            critical=False,
        )
    return builder.sign(issuer_key, hashes.SHA256())


@pytest.fixture
def certificates(tmp_path: Path) -> tuple[Path, Path, Path]:
    """(CA certificate, server certificate, server key) as PEM files."""
    ca_key = ec.generate_private_key(ec.SECP256R1())
    server_key = ec.generate_private_key(ec.SECP256R1())
    ca = _certificate("wattlog test CA", ca_key, "wattlog test CA", ca_key, ca=True)
    server = _certificate("localhost", server_key, "wattlog test CA", ca_key, ca=False)
    paths = tmp_path / "ca.pem", tmp_path / "server.pem", tmp_path / "server.key"
    paths[0].write_bytes(ca.public_bytes(serialization.Encoding.PEM))
    paths[1].write_bytes(server.public_bytes(serialization.Encoding.PEM))
    paths[2].write_bytes(
        server_key.private_bytes(
            serialization.Encoding.PEM,
            serialization.PrivateFormat.PKCS8,
            serialization.NoEncryption(),
        )
    )
    return paths


@pytest.fixture
async def tls_proxy(certificates: tuple[Path, Path, Path]) -> AsyncIterator[TcpProxy]:
    context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    context.load_cert_chain(certificates[1], certificates[2])
    proxy = await TcpProxy(server_ssl=context).start()
    yield proxy
    await proxy.close()


async def test_the_bridge_publishes_over_amqps_when_it_trusts_the_brokers_ca(
    settings: Settings,
    bridge_account: BridgeAccount,
    tls_proxy: TcpProxy,
    certificates: tuple[Path, Path, Path],
    tmp_path: Path,
) -> None:
    url = f"amqps://localhost:{tls_proxy.port}/{settings.amqp_vhost}"
    config = bridge_config(bridge_account, url, tmp_path / "data", ca_file=str(certificates[0]))
    ride = Riding(EmulatedRide())
    async with ride, running_bridge(config, ride.ride) as bridge:
        await eventually(lambda: bridge.status.forward.confirmed >= 10, 30)

        assert bridge.status.broker == "connected"


async def test_the_bridge_refuses_a_broker_whose_certificate_it_cannot_verify(
    settings: Settings, bridge_account: BridgeAccount, tls_proxy: TcpProxy, tmp_path: Path
) -> None:
    url = f"amqps://localhost:{tls_proxy.port}/{settings.amqp_vhost}"
    config = bridge_config(bridge_account, url, tmp_path / "data")
    ride = Riding(EmulatedRide())
    async with ride, running_bridge(config, ride.ride) as bridge:
        await eventually(lambda: bridge.status.last_error is not None, 30)

        assert "CERTIFICATE_VERIFY_FAILED" in bridge.status.last_error[1]
        assert bridge.status.broker != "connected"
        assert bridge.status.forward.confirmed == 0

"""Per-start PKI for the fake cluster: a CA, a server certificate and a client certificate.

Everything is generated fresh at each start (EC P-256 keys) and kept in memory; the server material is
written to a private temporary directory only because :mod:`ssl` loads certificates from files.
"""

from __future__ import annotations

import datetime as _dt
import ipaddress
import os
import ssl
import tempfile
from dataclasses import dataclass

from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import ExtendedKeyUsageOID, NameOID


@dataclass(frozen=True)
class KeyPair:
    """A PEM certificate and its PEM (PKCS#8, unencrypted) private key."""

    cert_pem: bytes
    key_pem: bytes


@dataclass(frozen=True)
class ClusterPKI:
    """The CA plus the server and client key pairs of one fake-cluster run."""

    ca: KeyPair
    server: KeyPair
    client: KeyPair


def _key() -> ec.EllipticCurvePrivateKey:
    return ec.generate_private_key(ec.SECP256R1())


def _pem_key(key: ec.EllipticCurvePrivateKey) -> bytes:
    return key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8,
                             serialization.NoEncryption())


def _name(cn: str, org: str | None = None) -> x509.Name:
    attrs = []
    if org:
        attrs.append(x509.NameAttribute(NameOID.ORGANIZATION_NAME, org))
    attrs.append(x509.NameAttribute(NameOID.COMMON_NAME, cn))
    return x509.Name(attrs)


def generate_pki(validity_days: int = 2) -> ClusterPKI:
    """Create a CA, a server certificate (SAN IP:127.0.0.1, DNS:localhost) and a client certificate
    (CN=kube-mcp-test, O=system:masters) signed by that CA."""
    now = _dt.datetime.now(_dt.timezone.utc) - _dt.timedelta(minutes=5)
    until = now + _dt.timedelta(days=validity_days)

    ca_key = _key()
    ca_name = _name("fake-cluster-ca")
    ca_cert = (
        x509.CertificateBuilder()
        .subject_name(ca_name).issuer_name(ca_name)
        .public_key(ca_key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now).not_valid_after(until)
        .add_extension(x509.BasicConstraints(ca=True, path_length=None), critical=True)
        .add_extension(x509.KeyUsage(digital_signature=True, key_cert_sign=True, crl_sign=True,
                                     content_commitment=False, key_encipherment=False,
                                     data_encipherment=False, key_agreement=False,
                                     encipher_only=False, decipher_only=False), critical=True)
        .add_extension(x509.SubjectKeyIdentifier.from_public_key(ca_key.public_key()), critical=False)
        .sign(ca_key, hashes.SHA256())
    )

    def leaf(subject: x509.Name, usage: ExtendedKeyUsageOID, san: list[x509.GeneralName] | None):
        key = _key()
        builder = (
            x509.CertificateBuilder()
            .subject_name(subject).issuer_name(ca_name)
            .public_key(key.public_key())
            .serial_number(x509.random_serial_number())
            .not_valid_before(now).not_valid_after(until)
            .add_extension(x509.BasicConstraints(ca=False, path_length=None), critical=True)
            .add_extension(x509.KeyUsage(digital_signature=True, key_encipherment=False, key_cert_sign=False,
                                         crl_sign=False, content_commitment=False, data_encipherment=False,
                                         key_agreement=False, encipher_only=False, decipher_only=False),
                           critical=True)
            .add_extension(x509.ExtendedKeyUsage([usage]), critical=False)
            .add_extension(x509.AuthorityKeyIdentifier.from_issuer_public_key(ca_key.public_key()),
                           critical=False)
        )
        if san:
            builder = builder.add_extension(x509.SubjectAlternativeName(san), critical=False)
        cert = builder.sign(ca_key, hashes.SHA256())
        return KeyPair(cert.public_bytes(serialization.Encoding.PEM), _pem_key(key))

    server = leaf(_name("kube-apiserver"), ExtendedKeyUsageOID.SERVER_AUTH,
                  [x509.IPAddress(ipaddress.ip_address("127.0.0.1")), x509.DNSName("localhost")])
    client = leaf(_name("kube-mcp-test", "system:masters"), ExtendedKeyUsageOID.CLIENT_AUTH, None)
    return ClusterPKI(KeyPair(ca_cert.public_bytes(serialization.Encoding.PEM), _pem_key(ca_key)), server, client)


def server_ssl_context(pki: ClusterPKI, alpn: list[str] | None = None) -> ssl.SSLContext:
    """TLS context for the listener: server certificate, optional client certificates verified against the CA."""
    ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    ctx.minimum_version = ssl.TLSVersion.TLSv1_2
    with tempfile.TemporaryDirectory(prefix="fakecluster-tls-") as tmp:
        cert_path = os.path.join(tmp, "server.crt")
        key_path = os.path.join(tmp, "server.key")
        with open(cert_path, "wb") as f:
            f.write(pki.server.cert_pem)
        with open(key_path, "wb") as f:
            f.write(pki.server.key_pem)
        ctx.load_cert_chain(cert_path, key_path)
    ctx.load_verify_locations(cadata=pki.ca.cert_pem.decode())
    ctx.verify_mode = ssl.CERT_OPTIONAL
    if alpn:
        ctx.set_alpn_protocols(alpn)
    return ctx


def peer_identity(peercert: dict | None) -> tuple[str, list[str]] | None:
    """User name (CN) and groups (O) from a verified peer certificate as returned by ``getpeercert()``."""
    if not peercert:
        return None
    cn, orgs = None, []
    for rdn in peercert.get("subject", ()):
        for key, value in rdn:
            if key == "commonName":
                cn = value
            elif key == "organizationName":
                orgs.append(value)
    if cn is None:
        return None
    return cn, orgs

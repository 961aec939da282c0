"""Which addresses the fetcher may open."""

from __future__ import annotations

import ipaddress

import pytest

from newsdesk.fetching.errors import BlockedAddressError
from newsdesk.fetching.safety import AddressPolicy, is_public_address


@pytest.mark.parametrize(
    "address",
    [
        "127.0.0.1", "127.8.9.10", "10.1.2.3", "172.16.0.1", "192.168.1.1", "169.254.169.254",
        "169.254.1.1", "224.0.0.1", "239.255.255.250", "0.0.0.0", "240.0.0.1", "100.64.0.1",
        "::1", "fe80::1", "fc00::1", "ff02::1", "::ffff:127.0.0.1", "::ffff:10.0.0.1", "fd00:ec2::254",
    ],
)  # fmt: skip
def test_non_public_addresses_are_refused(address: str) -> None:
    assert not is_public_address(ipaddress.ip_address(address))


@pytest.mark.parametrize(
    "address",
    [
        "2002:7f00:1::",  # 6to4 around 127.0.0.1
        "2002:a00:1::1",  # 6to4 around 10.0.0.1
        "2002:a9fe:a9fe::",  # 6to4 around the metadata service
        "2001:0:4136:e378:8000:63bf:80ff:fffe",  # Teredo, client 127.0.0.1 (stored inverted)
        "64:ff9b::7f00:1",  # NAT64 around 127.0.0.1
        "64:ff9b::a9fe:a9fe",  # NAT64 around 169.254.169.254
        "64:ff9b:1::c0a8:101",  # local-use NAT64 around 192.168.1.1
        "::ffff:169.254.169.254",
    ],
)
def test_ipv6_addresses_wrapping_non_public_ipv4_are_refused(address: str) -> None:
    assert not is_public_address(ipaddress.ip_address(address))


@pytest.mark.parametrize(
    "address", ["93.184.215.14", "1.1.1.1", "2606:4700:4700::1111", "::ffff:1.1.1.1", "64:ff9b::101:101"]
)
def test_public_addresses_are_allowed(address: str) -> None:
    assert is_public_address(ipaddress.ip_address(address))


def test_default_policy_refuses_loopback_names_and_literals() -> None:
    policy = AddressPolicy.build(resolver=lambda host, port: ["127.0.0.1"])
    with pytest.raises(BlockedAddressError):
        policy.addresses_for("localhost", 80)
    with pytest.raises(BlockedAddressError):
        policy.addresses_for("127.0.0.1", 80)
    with pytest.raises(BlockedAddressError):
        policy.addresses_for("[::1]", 443)


def test_exemption_is_for_one_host_and_port_only() -> None:
    policy = AddressPolicy.build(
        allowed_private_hosts=["news.test:8080"], resolver=lambda host, port: ["127.0.0.1"]
    )
    assert policy.addresses_for("news.test", 8080) == ["127.0.0.1"]
    with pytest.raises(BlockedAddressError):
        policy.addresses_for("news.test", 8081)
    with pytest.raises(BlockedAddressError):
        policy.addresses_for("127.0.0.1", 8080)


def test_private_answers_are_dropped_from_a_mixed_resolution() -> None:
    policy = AddressPolicy.build(resolver=lambda host, port: ["10.0.0.5", "93.184.215.14"])
    assert policy.addresses_for("mixed.example", 443) == ["93.184.215.14"]


def test_allow_private_networks_allows_everything() -> None:
    policy = AddressPolicy.build(allow_private_networks=True, resolver=lambda host, port: ["10.0.0.5"])
    assert policy.addresses_for("intranet", 80) == ["10.0.0.5"]

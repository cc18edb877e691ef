"""Tests. The test CA is installed first, before any HTTP library is imported (see tests/fakes/tls.py)."""

from tests.fakes.tls import install_test_ca

install_test_ca()

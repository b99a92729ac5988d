"""The written test's factories (bank, registrations) serve the candidate pages too."""

from tests.written.conftest import bank, make_registration  # noqa: F401

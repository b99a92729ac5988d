from tests.sessions.conftest import make_registration, make_session  # noqa: F401

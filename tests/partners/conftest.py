from tests.sessions.conftest import make_registration, make_session  # noqa: F401
from tests.written.conftest import bank  # noqa: F401

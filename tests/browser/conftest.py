from tests.written.conftest import bank  # noqa: F401 - fixture

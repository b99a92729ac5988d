from tests.access_extensions.conftest import world  # noqa: F401 - fixture

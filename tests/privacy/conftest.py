from tests.results.factories import make_ready, world  # noqa: F401 - fixtures

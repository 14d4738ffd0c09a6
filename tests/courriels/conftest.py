from tests.taches import worker  # noqa: F401 (fixture)

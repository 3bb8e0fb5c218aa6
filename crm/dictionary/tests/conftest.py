import pytest
from django.utils import translation


@pytest.fixture(autouse=True)
def english():
    """Service messages are translated when raised; these tests read them in English."""
    with translation.override("en"):
        yield

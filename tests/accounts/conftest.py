import pytest

from tests import factories as f


@pytest.fixture
def tree():
    return f.tongling_tree()


@pytest.fixture(autouse=True)
def _loose_ip_limits(settings):
    # Every test client request comes from 127.0.0.1; tests of the per-IP limit set it back.
    settings.OTP_IP_SEND_INTERVAL_SECONDS = 0
    settings.OTP_IP_MAX_PER_HOUR = 1000

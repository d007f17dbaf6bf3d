import pytest
from fault_proxy import FaultProxy


@pytest.fixture
def fault_proxy(local_teacher):
    """``fault_proxy(faults, **options)``: a started proxy in front of the real local teacher."""
    proxies = []

    def start(faults: dict[str, float] | None = None, **options) -> FaultProxy:
        proxy = FaultProxy(local_teacher.port, faults, **options).start()
        proxies.append(proxy)
        return proxy

    yield start
    for proxy in proxies:
        proxy.stop()

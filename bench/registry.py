from collections.abc import Callable
from dataclasses import dataclass


@dataclass(frozen=True)
class Scenario:
    """One benchmark: a candidate measured against a baseline.

    `setup(size)` prepares the database once per run (idempotent);
    `baseline()` and `candidate()` each run in a fresh process and may return
    a dict of extra figures (query counts...). `metric` is "seconds" or
    "peak_kib" (tracemalloc peak; the timing then includes its overhead).
    """

    name: str
    description: str
    setup: Callable[[int], dict | None]
    baseline: Callable[[], dict | None]
    candidate: Callable[[], dict | None]
    metric: str = "seconds"
    target: str = ""
    default_size: int = 100_000


SCENARIOS: dict[str, Scenario] = {}


def register(scenario: Scenario) -> Scenario:
    SCENARIOS[scenario.name] = scenario
    return scenario


def load_all() -> dict[str, Scenario]:
    from importlib import import_module
    from pkgutil import iter_modules

    import bench.scenarios as package

    for module in iter_modules(package.__path__):
        import_module(f"bench.scenarios.{module.name}")
    return SCENARIOS

"""Run one variant of one scenario in this (fresh) process; print JSON."""

import json
import os
import sys
import time
import tracemalloc


def main() -> None:
    name, variant = sys.argv[1], sys.argv[2]
    size = int(sys.argv[3]) if len(sys.argv) > 3 else 0
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
    import django

    django.setup()
    from bench.registry import load_all

    scenario = load_all()[name]
    if variant == "setup":
        started = time.perf_counter()
        steps = scenario.setup(size) or {}
        print(json.dumps({"seconds": time.perf_counter() - started, **steps}))
        return
    function = scenario.baseline if variant == "baseline" else scenario.candidate
    if scenario.metric == "peak_kib":
        tracemalloc.start()
    started = time.perf_counter()
    extra = function() or {}
    seconds = time.perf_counter() - started
    result = {"seconds": seconds, **extra}
    if scenario.metric == "peak_kib":
        result["peak_kib"] = tracemalloc.get_traced_memory()[1] / 1024
        tracemalloc.stop()
    print(json.dumps(result))


if __name__ == "__main__":
    main()

"""Benchmarks (`dora bench …`, `make bench`): each feature provides `dora/<f>/bench.py`
with `BENCHMARKS: dict[str, Callable[[], None]]` (run inside an app context, printing
their figures); this package runs them."""

"""The project's benchmarks: `python -m benchmarks` (or `make bench`).

Each module `bench_*.py` here exposes `run() -> list[dict]`, one dict per figure made with
`benchmarks.common.result`. Every figure comes with a baseline measured in the same run on the
same data, because shared machines drift: the ratio is what counts.
"""

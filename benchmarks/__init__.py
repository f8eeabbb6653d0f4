"""Side-by-side benchmarks of ``k6cloud_async`` against raw aiohttp and raw httpx.

Run ``python -m benchmarks`` (or ``nox -s bench``); see ``benchmarks/README.md``. This
package imports nothing at import time, so that every client process measures only what
its own client needs.
"""

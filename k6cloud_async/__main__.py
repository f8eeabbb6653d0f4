"""``python -m k6cloud_async``: the ``k6cloud`` command line."""

import sys

from .cli import main

if __name__ == "__main__":
    sys.exit(main())

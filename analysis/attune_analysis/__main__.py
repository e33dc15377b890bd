"""``python3 -m attune_analysis``: see :mod:`attune_analysis.cli`."""

import sys

from .cli import main

sys.exit(main())

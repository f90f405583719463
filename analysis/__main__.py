"""``python -m analysis`` is the same as the ``dupitac`` console script."""

import sys

from analysis.cli import main

sys.exit(main())

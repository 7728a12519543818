"""`python -m analysis` is the `rightfit` command."""

import sys

from analysis.cli import main

sys.exit(main())

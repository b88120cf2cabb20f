"""Let `python -m newsbrief.handlers` work like the `newsbrief` command."""

import sys

from newsbrief.handlers.cli import main

sys.exit(main())

"""Let `python -m bot` work like the `newsbrief` command."""

import sys

from bot.cli import main

sys.exit(main())

"""Serve a stand-in and its control routes until stdin closes: `python -m botapi` in tests/.

Prints one JSON line first: the token, the Bot API port and the control port.
"""

from __future__ import annotations

import json
import sys

from .control import ControlServer
from .server import BotApiStandIn


def main() -> None:
    """Serve until the driving process closes our stdin (or dies, which closes it too)."""
    with BotApiStandIn() as api, ControlServer(api) as control:
        ports = {"token": api.token, "port": api.port, "control": control.port}
        print(json.dumps(ports), flush=True)
        sys.stdin.read()


if __name__ == "__main__":
    main()

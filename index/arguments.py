"""An argparse parser whose errors are one line on stderr (exit 2), shared by both CLIs."""

from __future__ import annotations

import argparse
import sys


class ArgumentParser(argparse.ArgumentParser):
    """argparse, but a usage error prints `prog: message (see --help)` and nothing else."""

    def error(self, message: str) -> None:  # type: ignore[override]
        print(f"{self.prog}: {message} (see --help)", file=sys.stderr)
        sys.exit(2)

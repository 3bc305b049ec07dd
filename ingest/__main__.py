"""`python -m ingest`: the ingestion step, kept as the README documents it.

It is the `build` command of the one program (`python -m index build`), started by module name:
this entry point is the only place in `ingest/` that starts anything of `index/`, and it
imports none of its modules, so the ingest library itself stays independent of the index.
"""

import importlib
import sys

program = importlib.import_module("index.cli")
sys.exit(program.main(["build", *sys.argv[1:]], prog="python -m ingest"))

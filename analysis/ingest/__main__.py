"""`python -m analysis.ingest`: the child process of a sandboxed parse (see sandbox.py)."""

from analysis.ingest.sandbox import child_main

child_main()

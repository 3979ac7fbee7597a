"""Lets the studio tests (and the e2e test and benchmarks) import studio_views."""

import pathlib
import sys

sys.path.insert(0, str(pathlib.Path(__file__).parent))

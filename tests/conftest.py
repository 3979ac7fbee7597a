# Lets tests import helper modules kept in tests/ (e.g. `from hostile_images import ...`).
import pathlib
import sys

sys.path.insert(0, str(pathlib.Path(__file__).parent))

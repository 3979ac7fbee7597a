import pathlib
import sys

# frames.py and landmarks.py sit beside the tests.
sys.path.insert(0, str(pathlib.Path(__file__).parent))

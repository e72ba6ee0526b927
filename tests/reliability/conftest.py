import os
import sys

# The shared helpers live one folder up, in tests/.
sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))

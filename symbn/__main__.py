"""``python -m symbn``: the command line, also from a source tree that is not installed."""

from symbn.process import entry

if __name__ == "__main__":
    entry()

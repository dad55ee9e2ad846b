import sys

from uniondash.cli import main

if __name__ == "__main__":  # not when a spawned child (the isolated import) imports this module
    sys.exit(main())

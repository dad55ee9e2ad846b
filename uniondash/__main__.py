import sys

from uniondash.cli import main

sys.exit(main())

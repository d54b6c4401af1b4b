import sys

from taskpulse.cli import main

sys.exit(main())

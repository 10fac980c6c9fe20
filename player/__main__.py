import sys

from player.cli.main import main

sys.exit(main())

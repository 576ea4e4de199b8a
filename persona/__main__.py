"""python -m persona: the same as the persona command."""

from persona.cli import main

raise SystemExit(main())

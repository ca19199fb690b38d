"""Shared by every test directory: the repository root on sys.path, so `import actions`,
`import console` and `import helpdesk` work however pytest is started (also from tests/)."""
from __future__ import annotations

import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

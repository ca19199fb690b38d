"""The owner's overview: /owner."""
from __future__ import annotations

from . import bp
from .pages import owner_required, render


@bp.get("", strict_slashes=False)
@owner_required
async def overview(request):
    return render(request, "owner/dashboard.html")

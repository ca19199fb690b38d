"""The owner console (/owner): the store's settings and answers, the review queue of what
shoppers asked, retraining with evaluation, promotion and rollback of the live model, and the
dashboard. Owners only (an agent's login does not open it). The work is done by `store` (settings
and answer files), `helpdesk` (records) and `tuning` (the loop); these views are thin."""
from sanic import Blueprint

bp = Blueprint("owner", url_prefix="/owner")

from . import account, answers, dashboard, models, review, settings, training  # noqa: E402,F401  (views register on bp)

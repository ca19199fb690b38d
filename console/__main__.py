"""`python -m console`: the web chat and agent inbox, configured by environment variables
(see console/settings.py and the README)."""
from __future__ import annotations

import logging
import sys
import warnings

from sqlalchemy.exc import SQLAlchemyError

from handoff import HandoffService
from helpdesk import Accounts, ConfigHistory, MessageStore, ModelEvents, TicketStore, open_database
from store import CHINA, DEFAULT_CONFIG_DIR, ConfigError, StoreCache, china_now
from tuning import tracker_store_url

from .app import STATIC_DIR, create_app
from .chat.rate_limit import ChatLimitsError
from .credentials import ensure_accounts
from .owner.review import build_review
from .owner.services import OwnerServices
from .rasa_client import RasaClient
from .rasa_sync import SyncClaims
from .retention_job import retention_schedule
from .settings import ROOT, SettingsError, load_settings

logger = logging.getLogger("console")


def main() -> int:
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(levelname)s %(name)s: %(message)s")
    # Sanic 21.12's websocket code trips a Python 3.10 deprecation on every connection: noise.
    warnings.filterwarnings("ignore", category=DeprecationWarning, module=r"sanic\.")
    try:
        settings = load_settings()
        store = StoreCache().get  # reloaded when the owner edits store_config/
        store()
    except (SettingsError, ConfigError) as err:
        print(f"console: cannot start: {err}", file=sys.stderr)
        return 2
    if not (STATIC_DIR / "vendor" / "socket.io.min.js").exists():
        logger.error("the web chat's socket.io client is missing: run `bash console/web/build.sh` once")
    if not settings.rasa_token:
        logger.warning("RASA_TOKEN is not set: agent replies reach shoppers but are not written "
                       "into Rasa's conversation history")
    try:
        db = open_database(settings.db_url, zone=CHINA)
    except SQLAlchemyError as err:  # the URL may hold a password: show the driver's message only
        print(f"console: cannot open the helpdesk database (HELPDESK_DB_URL): {getattr(err, 'orig', err)}",
              file=sys.stderr)
        return 2
    tickets, messages, accounts = TicketStore(db), MessageStore(db), Accounts(db)
    try:
        ensure_accounts(settings, accounts, china_now())
    except SettingsError as err:
        print(f"console: cannot start: {err}", file=sys.stderr)
        return 2
    owner = OwnerServices(root=ROOT, store_dir=DEFAULT_CONFIG_DIR, store=store, config_history=ConfigHistory(db),
                          model_events=ModelEvents(db), clock=china_now, rasa_url=settings.rasa_url,
                          rasa_token=settings.rasa_token, tracker_db_url=tracker_store_url(),
                          review=build_review(db, ROOT))
    try:
        app = create_app(settings, tickets=tickets, messages=messages,
                         rasa=RasaClient(settings.rasa_url, settings.rasa_token, settings.rasa_timeout,
                                          settings.rasa_concurrency),
                         handoff=HandoffService(tickets, messages, store, china_now), store=store,
                         accounts=accounts, owner=owner,
                         sync_claims=SyncClaims.in_database(db, settings.rasa_timeout),
                         retention=retention_schedule(db, tracker_store_url(), store, china_now))
    except ChatLimitsError as err:   # a CHAT_* limit that is not a positive number
        print(f"console: cannot start: {err}", file=sys.stderr)
        return 2
    logger.info("web chat at http://%s:%s/ , agent inbox at /agent , owner console at /owner (%s)", settings.host, settings.port, settings.env)
    logger.info("socket.io rooms: %s", "shared through Redis (REDIS_URL)" if settings.redis_url
                else "in this process only (set REDIS_URL to run several console instances)")
    # One worker per instance: a shopper's socket.io long-polling requests must reach the process
    # holding the socket (nginx pins shoppers to instances, not to workers). Scale with instances.
    app.run(host=settings.host, port=settings.port, workers=1, access_log=False, motd=False)
    return 0


if __name__ == "__main__":
    sys.exit(main())

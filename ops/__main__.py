"""`python -m ops backup|restore|purge|forget` (make backup, restore, purge, forget): prints what
it did — files, counts, ids, never what shoppers wrote."""
from __future__ import annotations

import argparse
import json
import logging
import sys
from pathlib import Path

from sqlalchemy.exc import SQLAlchemyError

from store import china_now, load_store

from .backup import make_backup
from .databases import DatabaseBusy
from .forget import SETTLE_SECONDS, forget_conversation
from .personal_data import PersonalData
from .restore import ChecksumMismatch, restore_backup
from .retention import purge_expired
from .site import ROOT, Site


def _figures(name: str, figures: dict) -> str:
    shown = ", ".join(f"{k} {v}" for k, v in figures.items() if k not in ("engine", "member"))
    return f"  {name}: {shown}"


def backup(args, site: Site) -> int:
    result = make_backup(site, Path(args.dir) if args.dir else site.root / "backups", with_secrets=not args.no_secrets)
    manifest = result.manifest
    print(f"backup: {result.archive} ({result.archive.stat().st_size / 1e6:.1f} MB, mode 600)")
    for name, figures in manifest["databases"].items():
        print(_figures(name, figures))
    for role, model in manifest["models"].items():
        print(f"  {role} model: {model['name']} (model_id {model['model_id']})" if "name" in model
              else f"  {role} model NOT backed up: {model['error']}")
    kinds = [f["kind"] for f in manifest["files"]]
    print(f"  owner files: {kinds.count('owner_file')}, secrets: {kinds.count('secret')}"
          + (" (flagged in the manifest: keep the archive secret)" if kinds.count("secret") else ""))
    return 0


def restore(args, site: Site) -> int:
    urls = {k: v for k, v in (("tracker", args.tracker_url), ("helpdesk", args.helpdesk_url)) if v}
    try:
        result = restore_backup(Path(args.archive), site, into=Path(args.into) if args.into else None,
                                with_secrets=not args.no_secrets, database_urls=urls)
    except (DatabaseBusy, ChecksumMismatch) as err:
        print(f"restore: refused: {err}", file=sys.stderr)
        return 1
    print(f"restore: {args.archive} (made {result.manifest['created_at']}) checksums ok")
    for line in result.restored:
        print(f"  restored {line}")
    for line in result.skipped:
        print(f"  skipped {line}")
    for name, figures in result.counts.items():
        backed_up = result.manifest["databases"][name]
        print(f"  {name}: " + ", ".join(f"{k} {v} (backup {backed_up.get(k)})" for k, v in figures.items()))
    return 0


def purge(args, site: Site) -> int:
    days = args.days or load_store(site.root / "store_config").config.privacy.retention_days
    data = PersonalData.open(site, with_labels=False)
    try:
        report = purge_expired(data, days, china_now())
    finally:
        data.close()
    totals = report.totals
    print(f"purge: kept {days} days (before {report.cutoff:%Y-%m-%d %H:%M}): erased {len(report.erased)} "
          f"conversations ({totals.events} events, {totals.messages} messages, {len(totals.tickets)} tickets); "
          f"{len(report.kept_for_work)} older ones kept while a ticket is worked")
    return 0


def forget(args, site: Site) -> int:
    data = PersonalData.open(site)
    try:
        erased = forget_conversation(data, args.conversation, settle=args.settle)
    finally:
        data.close()
    print(json.dumps({"conversation": erased.conversation_id, "tracker_events": erased.events,
                      "messages": erased.messages, "tickets": erased.tickets,
                      "review_decisions": erased.review_decisions, "owner_examples": erased.owner_examples},
                     ensure_ascii=False))
    print("forget: " + ("deleted everywhere" if erased.anything else "nothing stored for this conversation (already forgotten?)"))
    return 0


def main(argv=None) -> int:
    logging.basicConfig(level=logging.WARNING, format="%(levelname)s %(name)s: %(message)s")
    logging.getLogger("ops").setLevel(logging.INFO)   # the purge's and forget's ids and counts
    parser = argparse.ArgumentParser(prog="python -m ops", description=__doc__)
    parser.add_argument("--root", default=str(ROOT), help="the installation directory (default: this repository)")
    commands = parser.add_subparsers(dest="command", required=True)
    one = commands.add_parser("backup", help="one archive of this installation (while it runs)")
    one.add_argument("--dir", help="where the archive goes (default: <root>/backups)")
    one.add_argument("--no-secrets", action="store_true", help="leave .run/ and the console secret out")
    one = commands.add_parser("restore", help="an archive back (stop the assistant first)")
    one.add_argument("archive")
    one.add_argument("--into", help="another installation directory (default: this one)")
    one.add_argument("--no-secrets", action="store_true", help="keep the current secrets")
    one.add_argument("--tracker-url", help="restore the tracker into this database instead")
    one.add_argument("--helpdesk-url", help="restore the helpdesk into this database instead")
    one = commands.add_parser("purge", help="erase conversations older than privacy.retention_days now")
    one.add_argument("--days", type=int, help="instead of store_config/store.yml privacy.retention_days")
    one = commands.add_parser("forget", help="erase one conversation everywhere")
    one.add_argument("conversation")
    one.add_argument("--settle", type=float, default=SETTLE_SECONDS,
                     help="seconds before the second pass (a reply being written meanwhile)")
    args = parser.parse_args(argv)
    site = Site.from_env(Path(args.root).resolve())
    try:
        return {"backup": backup, "restore": restore, "purge": purge, "forget": forget}[args.command](args, site)
    except SQLAlchemyError as err:   # the URL may hold a password: the driver's message only
        print(f"{args.command}: database error: {getattr(err, 'orig', err)}", file=sys.stderr)
        return 2


if __name__ == "__main__":
    sys.exit(main())

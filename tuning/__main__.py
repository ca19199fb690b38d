"""`python -m tuning <command>`: the owner's loop on the command line (the make targets use it).
Each part registers its subcommands here with one line; their code lives in its own module."""
from __future__ import annotations

import argparse
import sys

from . import models_cli, review_cli, training_cli


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(prog="python -m tuning", description="店主的模型调优工具")
    commands = parser.add_subparsers(dest="command", required=True)
    models_cli.add_commands(commands)  # promote, rollback
    review_cli.add_commands(commands)  # review export / import / auto
    training_cli.add_commands(commands)  # retrain, evaluate
    args = parser.parse_args(argv)
    return args.run(args)


if __name__ == "__main__":
    sys.exit(main())

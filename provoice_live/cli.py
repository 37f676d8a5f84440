"""The `provoice-live` command line.

Each sub-command lives beside the code it drives, in a `cli` module with `add_arguments(parser)`
and `main(args) -> int` (or an object holding both, named `module:name`); this file only lists them. Modules are imported to build the parser, so they
keep their heavy imports inside `main`.
"""

from __future__ import annotations

import argparse
import importlib
import logging
import sys

from . import __version__
from .errors import ProvoiceError
from .redact import ScrubFilter, scrub

# sub-command -> (module, one-line help)
COMMANDS: dict[str, tuple[str, str]] = {
    "demo": ("provoice_live.demo", "the main job: build the demo corpus, run the offline agent, score, report"),
    "build-corpus": ("provoice_live.corpus.builder.cli", "build a corpus with the paper's synthesis pipeline"),
    "import-provoice": ("provoice_live.corpus.official.cli", "convert the official ProVoice-Bench release to a corpus"),
    "validate": ("provoice_live.corpus.cli", "check a corpus directory and report every problem"),
    "probe": ("provoice_live.probe.cli", "one short session against an agent's endpoint: check it before a long run"),
    "run": ("provoice_live.engine.cli", "replay a corpus through an agent into a run directory"),
    "score": ("provoice_live.scoring.cli", "the paper's tables and timing from a run or a predictions file"),
    "compare": ("provoice_live.scoring.cli:compare_command", "one table and one HTML page across runs, with bootstrap intervals"),
    "report": ("provoice_live.report.cli", "an HTML report with tables and pictures"),
    "live": ("provoice_live.live.cli:live", "stream the microphone through an agent, with a live view"),
    "serve": ("provoice_live.live.cli:serve", "the browser demo over WebRTC"),
}


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="provoice-live", description="A real-time harness for proactive voice agents (ProVoice-Bench).")
    parser.add_argument("--version", action="version", version=f"provoice-live {__version__}")
    parser.add_argument("-v", "--verbose", action="store_true", help="log debug messages")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND")
    for name, (target, help_text) in COMMANDS.items():
        module, _, attr = target.partition(":")
        try:
            mod = importlib.import_module(module)
        except ModuleNotFoundError as exc:
            if not (exc.name and module.startswith(exc.name)):
                raise
            continue  # not built yet in this version
        command = getattr(mod, attr) if attr else mod  # `module:name`: several commands in one module
        p = sub.add_parser(name, help=help_text, description=help_text)
        command.add_arguments(p)
        p.set_defaults(_main=command.main)
    return parser


def main(argv: list[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    logging.basicConfig(level=logging.DEBUG if args.verbose else logging.WARNING,
                        format="%(levelname)s %(name)s: %(message)s")
    for handler in logging.getLogger().handlers:  # no secret reaches the console through a log line
        handler.addFilter(ScrubFilter())
    if not getattr(args, "_main", None):
        parser.print_help()
        return 2
    try:
        return int(args._main(args) or 0)
    except ProvoiceError as exc:
        print(f"provoice-live {args.command}: error: {scrub(str(exc))}", file=sys.stderr)
        return 1
    except KeyboardInterrupt:
        print(f"provoice-live {args.command}: interrupted", file=sys.stderr)
        return 130


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())

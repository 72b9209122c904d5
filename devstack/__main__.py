"""python -m devstack {test,demo} …"""

from __future__ import annotations

import argparse
import signal
import sys


def _unwind_on_signals() -> None:
    # Ctrl-C and SIGTERM unwind the stack so that every `finally` stops what it started. SIGINT
    # is set explicitly: a shell starting us in the background leaves it ignored.
    signal.signal(signal.SIGINT, signal.default_int_handler)
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(143))


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(prog="python -m devstack")
    sub = parser.add_subparsers(dest="command", required=True)
    test = sub.add_parser("test", help="run pytest against throw-away services")
    test.add_argument("--suite", choices=["all", "project", "conformance"], default="project")
    demo = sub.add_parser("demo", help="run the demo portal")
    demo.add_argument("--port", type=int, default=5000)
    args, rest = parser.parse_known_args(argv)
    _unwind_on_signals()
    if args.command == "test":
        from devstack import harness

        suites = ["project", "conformance"] if args.suite == "all" else [args.suite]
        return harness.run(suites, rest)
    from devstack import demo as demo_module

    return demo_module.run(args.port)


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))

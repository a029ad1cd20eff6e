"""`python3 -m report [--out DIR] [--table-only] RESULTS_DIR...`

Renders report.html, report.md and charts/ (PNG and SVG) into --out (default: the first
results folder) from what bench wrote into results.json (figures, claims); bench prints
the claims table itself. --table-only prints that table, from the file's claims, and
writes nothing. Bad input: one line on stderr, exit 2; never a traceback.
"""
import argparse
import os
import sys

from .errors import InputError


class _Parser(argparse.ArgumentParser):
    def error(self, message):
        raise InputError(message)


def main(argv):
    parser = _Parser(prog="bench report", add_help=True)
    parser.add_argument("folders", nargs="+", metavar="RESULTS_DIR")
    parser.add_argument("--out", help="where report.html, report.md and charts/ go (default: the first folder)")
    parser.add_argument("--table-only", action="store_true", help="print the claims table, write nothing")
    args = parser.parse_args(argv)

    from . import claims as claims_module  # after parsing: --help needs no matplotlib
    from .results import load_folder

    all_results = [load_folder(folder) for folder in args.folders]
    if args.table_only:
        # Each folder's own claims: bench computed them per results file.
        for i, results in enumerate(all_results):
            if len(all_results) > 1:
                print(("\n" if i else "") + f"== {results.host}: {results.folder}")
            print(claims_module.terminal_table(claims_module.rows(results), claims_module.ladder(results)))
        return 0

    from . import charts, pages

    out_dir = args.out or all_results[0].folder
    try:
        os.makedirs(os.path.join(out_dir, "charts"), exist_ok=True)
    except OSError as e:
        raise InputError(f"cannot create `{out_dir}/charts`: {e.strerror}") from None
    drawn = charts.render_all(all_results, os.path.join(out_dir, "charts"))
    pages.write_markdown(os.path.join(out_dir, "report.md"), all_results, drawn)
    pages.write_html(os.path.join(out_dir, "report.html"), all_results, drawn)
    missing = list(dict.fromkeys(c.title for c in drawn if not c.written))
    print(f"report: wrote {os.path.join(out_dir, 'report.html')}, report.md and "
          f"{sum(1 for c in drawn if c.written)} chart(s)" +
          (f"; not drawn (no data): {', '.join(missing)}" if missing else ""), file=sys.stderr)
    return 0


def run():
    try:
        return main(sys.argv[1:])
    except InputError as e:
        print(f"bench report: {e}", file=sys.stderr)
        return 2
    except ImportError as e:
        print(f"bench report: {sys.executable} cannot import {e.name or e}: install python3-matplotlib "
              "(scripts/setup)", file=sys.stderr)
        return 2
    except OSError as e:
        print(f"bench report: {e.strerror or e}{': ' + repr(e.filename) if e.filename else ''}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        print("bench report: interrupted", file=sys.stderr)
        return 130
    except Exception as e:  # never a traceback for the user; the cause in one line
        print(f"bench report: internal error: {type(e).__name__}: {e}", file=sys.stderr)
        return 2


if __name__ == "__main__":
    sys.exit(run())

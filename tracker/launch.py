"""The `kaiji` executable: tracker.cli.main, with Ctrl-C while kaiji's modules load ended as Click ends it.

Click turns Ctrl-C into "Aborted!" and exit code 1 once it runs; before that, while Python imports
Click and kaiji's command line, a KeyboardInterrupt would print a traceback. This module imports
nothing but sys, so that window is as short as it can be. (The interpreter's own start-up, before
this module runs, is Python's.)
"""

import sys


def main() -> None:
    try:
        from .cli import main as run

        run()
    except KeyboardInterrupt:
        try:
            from .i18n import _  # only now: the standard library's gettext, read once kaiji is ending

            message = _("Aborted!")
        except BaseException:  # noqa: BLE001 - interrupted again, or no catalog: Click's English word
            message = "Aborted!"
        try:
            sys.stderr.write(f"\n{message}\n")
        except (OSError, ValueError):
            pass
        sys.exit(1)

"""A minimal runner for the integration tests that are plain `test_*` functions.

`sys.exit(run_tests(globals()))` at the bottom of a test file runs every
`test_*` function of the module in name order (or only those whose name
contains one of the command-line arguments), prints one `ok`/`FAIL` line per
test with its time and traceback, and returns the exit status CTest reads.
"""

import sys
import time
import traceback


def run_tests(namespace):
    tests = [(n, f) for n, f in sorted(namespace.items()) if n.startswith("test_") and callable(f)]
    only = sys.argv[1:]
    failed = []
    for name, fn in tests:
        if only and not any(o in name for o in only):
            continue
        start = time.monotonic()
        try:
            fn()
            print("ok   %-60s %.2fs" % (name, time.monotonic() - start), flush=True)
        except Exception:
            failed.append(name)
            print("FAIL %s\n%s" % (name, traceback.format_exc()), flush=True)
    if failed:
        print("failed: " + ", ".join(failed))
        return 1
    return 0

#!/usr/bin/env python3
"""Adds up .ci/test's passes: distinct tests, and how many ran on each backend.

Usage: test_totals.py PASS_LOG... where each PASS_LOG is `LABEL=FILE` (cargo test output);
the label reads after the pass's count ("on PostgreSQL + Redis").

A test is named by its binary (the crate or test target, from cargo's `Running` and
`Doc-tests` lines) and its path; it counts once however many passes ran it. It passed if it
passed in every pass that ran it. The last line is `tests: N passed, N failed (...)`.
"""

import re
import sys

BINARY = re.compile(r"^\s+(?:Running .+? \((?:.*/)?([^/)]+?)(?:-[0-9a-f]{16})?(?:\.exe)?\)$|Doc-tests (\S+))")
RESULT = re.compile(r"^test (.+?) \.\.\. (ok|FAILED|ignored)\b")


def read_pass(path):
    """{(binary, test): outcome} of one pass."""
    outcomes, binary = {}, "?"
    with open(path, encoding="utf-8", errors="replace") as log:
        for line in log:
            found = BINARY.match(line)
            if found:
                binary = found.group(1) or "doc:" + found.group(2)
                continue
            found = RESULT.match(line)
            if found:
                outcomes[(binary, found.group(1))] = found.group(2)
    return outcomes


def main(args):
    passes = []
    for arg in args:
        label, _, path = arg.partition("=")
        passes.append((label, read_pass(path)))
    tests = {}
    for _, outcomes in passes:
        for test, outcome in outcomes.items():
            tests.setdefault(test, []).append(outcome)
    failed = sorted(t for t, outs in tests.items() if "FAILED" in outs)
    ignored = sum(1 for outs in tests.values() if set(outs) == {"ignored"})
    passed = len(tests) - len(failed) - ignored
    ran = "; ".join(
        f"{sum(1 for o in outcomes.values() if o != 'ignored')} {label}"
        for label, outcomes in passes
    )
    for binary, name in failed:
        print(f"FAILED: {binary}: {name}")
    print(f"{len(tests)} distinct tests; {ran}")
    print(f"tests: {passed} passed, {len(failed)} failed ({len(tests)} distinct; {ran})")


if __name__ == "__main__":
    main(sys.argv[1:])

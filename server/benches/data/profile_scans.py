#!/usr/bin/env python3
"""How many index and table scans the profile's one statement makes, per customer.

Usage: profile_scans.py DATABASE_URL GUIDE_USERID EXTERNAL_USERID...

For each customer, `EXPLAIN (ANALYZE, FORMAT JSON)` of server/src/sidebar/profile/profile.sql
with the parameters the server binds ($1 the guide's id, $2 the customer, $3 now, $4 a year
ago); every plan node whose type is a scan counts once per loop. Prints the range, the median
and the statement's execution times (EXPLAIN's own timing on, so slower than served).
"""

import json
import os
import statistics
import subprocess
import sys

SQL = os.path.join(os.path.dirname(__file__), "../../src/sidebar/profile/profile.sql")


def psql(url, script):
    return subprocess.run(
        ["psql", url, "-X", "-q", "-At", "-v", "ON_ERROR_STOP=1"],
        input=script, capture_output=True, text=True, check=True,
    ).stdout


def scans(node):
    own = node.get("Actual Loops", 1) if "Scan" in node["Node Type"] else 0
    return own + sum(scans(child) for child in node.get("Plans", []))


def main(url, guide, customers):
    statement = open(SQL, encoding="utf-8").read().strip().rstrip(";")
    guide_id = psql(url, f"SELECT id FROM guides WHERE wecom_userid = '{guide}'").strip()
    script = [f"PREPARE profile(bigint, text, timestamptz, timestamptz) AS {statement};"]
    for customer in customers:
        script.append(
            "EXPLAIN (ANALYZE, FORMAT JSON) EXECUTE profile("
            f"{guide_id}, '{customer}', now(), now() - interval '1 year');"
        )
    output = psql(url, "\n".join(script))
    plans, depth, start = [], 0, None
    # One JSON document per EXPLAIN, possibly over several lines.
    for i, char in enumerate(output):
        if char == "[":
            depth += 1
            start = i if depth == 1 else start
        elif char == "]":
            depth -= 1
            if depth == 0:
                plans.append(json.loads(output[start : i + 1])[0])
    counts = [scans(plan["Plan"]) for plan in plans]
    times = [plan["Execution Time"] for plan in plans]
    print(
        f"profile.sql over {len(counts)} customers: {min(counts)} to {max(counts)} scans, "
        f"median {statistics.median(counts):g}; execution {min(times):.1f}-{max(times):.1f} ms, "
        f"median {statistics.median(times):.1f} ms (EXPLAIN ANALYZE)"
    )


if __name__ == "__main__":
    if len(sys.argv) < 4:
        sys.exit(__doc__)
    main(sys.argv[1], sys.argv[2], sys.argv[3:])

#!/usr/bin/env python3
"""Checks akhbar's table of date forms against Python's feedparser.

Reads the rows of the table test in src/feed/date/tests.rs, each
`("input", Some("expected RFC 3339 UTC") | None, Agrees | Differs)`, asks feedparser's own
date parser (`feedparser.datetimes._parse_date`) about every input, and prints one line per row:

    ok    input  akhbar  feedparser
    FAIL  ...    (a row marked Agrees where feedparser says otherwise, or Differs where it agrees)

Dates are compared to the second (feedparser keeps no fractions). Exits 1 on any FAIL.
With arguments, prints feedparser's reading of each argument instead.

For development only: `pip install feedparser` (in a virtualenv). `cargo test` never needs it.
"""

import calendar
import os
import re
import sys
import time

# feedparser's ISO 8601 reader goes through local time; pin it to UTC.
os.environ["TZ"] = "UTC"
time.tzset()

from feedparser.datetimes import _parse_date  # noqa: E402

TABLE = os.path.join(os.path.dirname(__file__), "..", "src", "feed", "date", "tests.rs")
ROW = re.compile(
    r'\(\s*"((?:[^"\\]|\\.)*)",\s*(None|Some\(\s*"([^"]*)"\s*\)),\s*(Agrees|Differs)\s*,?\s*\)'
)


def unescape(rust: str) -> str:
    return re.sub(
        r"\\u\{([0-9a-fA-F]+)\}|\\(.)",
        lambda m: chr(int(m.group(1), 16)) if m.group(1) else {"n": "\n", "t": "\t"}.get(m.group(2), m.group(2)),
        rust,
    )


def feedparser_reading(text: str):
    parsed = _parse_date(text)
    if parsed is None:
        return None
    try:
        return time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime(calendar.timegm(parsed)))
    except (ValueError, OverflowError):
        # A tuple no calendar holds, such as year 0.
        return f"invalid {tuple(parsed)[:6]}"


def to_second(rfc3339):
    if rfc3339 is None:
        return None
    return re.sub(r"\.\d+Z$", "Z", rfc3339)


def main() -> int:
    if len(sys.argv) > 1:
        for text in sys.argv[1:]:
            print(f"{text!r:45} {feedparser_reading(text)}")
        return 0
    with open(TABLE, encoding="utf-8") as f:
        source = f.read()
    failures = 0
    rows = 0
    for m in ROW.finditer(source):
        rows += 1
        text = unescape(m.group(1))
        expected = m.group(3)
        verdict = m.group(4)
        theirs = feedparser_reading(text)
        agrees = to_second(expected) == theirs
        ok = agrees == (verdict == "Agrees")
        failures += not ok
        mark = "ok  " if ok else "FAIL"
        print(f"{mark} {verdict:7} {text!r:48} akhbar {str(expected):32} feedparser {theirs}")
    print(f"{rows} rows, {failures} not as marked", file=sys.stderr)
    return 1 if failures or not rows else 0


if __name__ == "__main__":
    sys.exit(main())

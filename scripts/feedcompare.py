"""Shared by scripts/feed-diff and scripts/feedparser-dialects: serving files on loopback,
running `akhbar print --format json`, normalising both readers' fields the same way and
pairing akhbar's headlines (printed newest first, duplicates by link dropped) with
feedparser's entries (feed order).

Needs python3 and, for the callers, feedparser (`pip install feedparser`); nothing here
is used by `cargo test`.
"""

import calendar
import datetime
import html
import html.parser
import http.server
import json
import os
import re
import subprocess
import tempfile
import threading
import unicodedata

REPO = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))

# Within this distance of the run, a `published` without a `dated` field is taken for the
# first-seen time akhbar gives undated items.
UNDATED_SLACK = datetime.timedelta(minutes=1)


def akhbar_binary(explicit=None):
    """The akhbar binary: `explicit`, else $AKHBAR, else the debug build of this checkout."""
    return explicit or os.environ.get("AKHBAR") or os.path.join(REPO, "target", "debug", "akhbar")


def content_type_for(path):
    """What a server would plausibly send for a saved feed (the bytes decide the rest)."""
    lower = path.lower()
    if lower.endswith(".json"):
        return "application/feed+json"
    if lower.endswith((".html", ".htm")):
        return "text/html"
    return "application/xml"


class LoopbackServer:
    """Serves files under `root` on 127.0.0.1 with the headers `headers_for(path, bytes)`
    gives (a dict; `Content-Type` among them), in a daemon thread."""

    def __init__(self, root, headers_for, port=0):
        self.root = os.path.abspath(root)
        server = self

        class Handler(http.server.BaseHTTPRequestHandler):
            def do_GET(self):
                path = os.path.normpath(os.path.join(server.root, self.path.split("?")[0].lstrip("/")))
                if not path.startswith(server.root) or not os.path.isfile(path):
                    self.send_error(404)
                    return
                with open(path, "rb") as file:
                    body = file.read()
                self.send_response(200)
                for name, value in headers_for(path, body).items():
                    self.send_header(name, value)
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

            def log_message(self, *args):
                pass

        self.httpd = http.server.ThreadingHTTPServer(("127.0.0.1", port), Handler)
        self.port = self.httpd.server_address[1]
        threading.Thread(target=self.httpd.serve_forever, daemon=True).start()

    def url(self, path):
        relative = os.path.relpath(os.path.abspath(path), self.root).replace(os.sep, "/")
        return "http://127.0.0.1:%d/%s" % (self.port, relative)

    def close(self):
        self.httpd.shutdown()


class AkhbarRun:
    """One `akhbar print --format json --feed URL`: its headlines (as printed), exit code
    and standard error, and the time window it ran in."""

    def __init__(self, headlines, code, stderr, started, finished):
        self.headlines = headlines
        self.code = code
        self.stderr = stderr
        self.started = started
        self.finished = finished

    def is_dated(self, headline):
        if "dated" in headline:
            return bool(headline["dated"])
        published = parse_rfc3339(headline.get("published"))
        if published is None:
            return False
        return not (self.started - UNDATED_SLACK <= published <= self.finished + UNDATED_SLACK)

    def date_of(self, headline):
        """Seconds since the epoch, or None when akhbar has no date from the feed."""
        if not self.is_dated(headline):
            return None
        return int(parse_rfc3339(headline["published"]).timestamp())


def run_akhbar(binary, feed, timeout=60):
    """Runs print on `feed` in a throwaway HOME, so no store or config takes part."""
    with tempfile.TemporaryDirectory() as home:
        env = dict(os.environ)
        env.update(
            HOME=home,
            XDG_CONFIG_HOME=os.path.join(home, "config"),
            XDG_DATA_HOME=os.path.join(home, "data"),
            XDG_CACHE_HOME=os.path.join(home, "cache"),
            XDG_STATE_HOME=os.path.join(home, "state"),
        )
        started = datetime.datetime.now(datetime.timezone.utc)
        try:
            proc = subprocess.run(
                [binary, "print", "--format", "json", "--feed", feed],
                capture_output=True,
                env=env,
                timeout=timeout,
            )
            code, stdout, stderr = proc.returncode, proc.stdout, proc.stderr
        except subprocess.TimeoutExpired:
            code, stdout, stderr = -1, b"", b"timed out"
        finished = datetime.datetime.now(datetime.timezone.utc)
    headlines = []
    for line in stdout.decode("utf-8", "replace").splitlines():
        if line.strip():
            headlines.append(json.loads(line))
    return AkhbarRun(headlines, code, stderr.decode("utf-8", "replace").strip(), started, finished)


def parse_rfc3339(text):
    if not text:
        return None
    try:
        return datetime.datetime.fromisoformat(text.replace("Z", "+00:00"))
    except ValueError:
        return None


class _TextOnly(html.parser.HTMLParser):
    BLOCKS = {"p", "div", "br", "li", "ul", "ol", "h1", "h2", "h3", "h4", "h5", "h6",
              "blockquote", "pre", "table", "tr", "td", "th", "hr"}

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.parts = []

    def handle_data(self, data):
        self.parts.append(data)

    def handle_starttag(self, tag, attrs):
        self.handle_endtag(tag)

    def handle_endtag(self, tag):
        if tag in self.BLOCKS:
            self.parts.append(" ")


def plain(text):
    """HTML as a plain one-line string: tags stripped, entities decoded, whitespace collapsed,
    so that feedparser's sanitised HTML meets akhbar's plain text (see [`collapse`])."""
    if text is None:
        return ""
    if "<" in text or "&" in text:
        stripper = _TextOnly()
        stripper.feed(text)
        stripper.close()
        text = html.unescape("".join(stripper.parts))
    return collapse(text)


def collapse(text):
    """Plain text on one line: whitespace collapsed, format characters dropped, NFC."""
    if text is None:
        return ""
    text = "".join(" " if unicodedata.category(c) in ("Cc", "Zs", "Zl", "Zp") else c for c in text)
    text = "".join(c for c in text if unicodedata.category(c) != "Cf")
    return re.sub(r"\s+", " ", unicodedata.normalize("NFC", text)).strip()


def feedparser_date(entry):
    """feedparser's date of an entry as seconds since the epoch: published, else updated,
    else created (what akhbar's single date stands for)."""
    for key in ("published_parsed", "updated_parsed", "created_parsed"):
        parsed = entry.get(key)
        if parsed:
            return calendar.timegm(parsed)
    return None


def pair_entries(theirs, ours):
    """Pairs feedparser entries (`theirs`, each a dict with `title`, `link`, `date`) with
    akhbar's (`ours`, the same keys): same link and title, then same link, then same
    title, then same date, each at most once. Returns `(their index | None, our index |
    None)` in feed order, unmatched akhbar headlines last."""
    match = {}
    used = set()

    def attempt(key):
        for i, entry in enumerate(theirs):
            if i in match:
                continue
            wanted = key(entry)
            if wanted is None:
                continue
            for j, headline in enumerate(ours):
                if j not in used and key(headline) == wanted:
                    match[i] = j
                    used.add(j)
                    break

    attempt(lambda e: (e["link"], e["title"]) if e["link"] and e["title"] else None)
    attempt(lambda e: e["link"] or None)
    attempt(lambda e: e["title"] or None)
    attempt(lambda e: e["date"])
    # What is left pairs in order: akhbar's leftovers come newest first, ties in feed order.
    left_ours = sorted((j for j in range(len(ours)) if j not in used),
                       key=lambda j: -(ours[j]["date"] or 0))
    pairs = []
    for i in range(len(theirs)):
        if i not in match and left_ours and ours[left_ours[0]]["date"] is None and theirs[i]["date"] is None:
            match[i] = left_ours.pop(0)
        pairs.append((i, match.get(i)))
    pairs.extend((None, j) for j in left_ours)
    return pairs


def ours_from_run(run):
    """akhbar's headlines, already plain text, for [`pair_entries`]."""
    return [
        {"title": collapse(h.get("title")), "link": (h.get("link") or "").strip(),
         "date": run.date_of(h), "summary": collapse(h.get("summary"))}
        for h in run.headlines
    ]


def feedparser_text(entry, key):
    """An entry's text field as plain text: HTML ones (by their `_detail` type) stripped."""
    value = entry.get(key)
    kind = (entry.get(key + "_detail") or {}).get("type", "text/html")
    return collapse(value) if kind == "text/plain" else plain(value)


def theirs_from_feedparser(parsed):
    """feedparser's entries, in feed order, for [`pair_entries`]."""
    return [
        {"title": feedparser_text(e, "title"), "link": (e.get("link") or "").strip(),
         "date": feedparser_date(e), "summary": feedparser_text(e, "summary")}
        for e in parsed.entries
    ]

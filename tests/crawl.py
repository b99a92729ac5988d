"""A same-site crawler over the Flask test client, used by the IDOR and accessibility tests."""

from __future__ import annotations

import re
from collections import deque
from urllib.parse import urldefrag, urlsplit

HREF = re.compile(r'href="([^"]+)"')
# Links that change state or leave the HTML world are not followed.
SKIP = re.compile(r"/(logout|static)/|\.(pdf|csv|xlsx|ics|ogg|mp3|jpg|jpeg|png|zip|json)$|/download", re.I)


def crawl(client, start: str, limit: int = 120) -> dict[str, int]:
    """GET every same-site page reachable from `start`; return {path: status}."""
    seen: dict[str, int] = {}
    queue = deque([start])
    while queue and len(seen) < limit:
        url = queue.popleft()
        if url in seen:
            continue
        response = client.get(url)
        seen[url] = response.status_code
        if response.status_code in (301, 302, 303, 307, 308):
            target = urlsplit(response.headers["Location"])
            nxt = target.path + (f"?{target.query}" if target.query else "")
            if not target.netloc or target.netloc.startswith("localhost"):
                queue.append(nxt)
            continue
        if "text/html" not in response.headers.get("Content-Type", ""):
            continue
        for href in HREF.findall(response.get_data(as_text=True)):
            href = urldefrag(href.replace("&amp;", "&"))[0]
            parts = urlsplit(href)
            if parts.scheme or parts.netloc or not href.startswith("/") or SKIP.search(parts.path):
                continue
            if href not in seen:
                queue.append(href)
    return seen


# An object named in the query string: a candidate's pages take the registration they act on
# as ?inscription=<id> (a candidate may hold several).
OBJECT_QUERY = re.compile(r"[?&]inscription=\d+")


def object_urls(pages: dict[str, int]) -> set[str]:
    """Pages of one user that name an object by a number (candidate IDOR targets)."""
    return {u for u, status in pages.items()
            if status == 200 and (re.search(r"/\d+(/|$|\?)", u) or OBJECT_QUERY.search(u))}

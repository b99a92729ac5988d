"""Tools of the form fuzz: find every form in the pages a role can reach, and hostile values.

Forms are read from the HTML (inputs, selects, textareas, named buttons), so a form added
by any feature is fuzzed without editing this file. POST routes of app.url_map that no page
shows a form for are fuzzed with generic fields at a URL built from the ids seen in links.
"""

from __future__ import annotations

import io
import json
import re
from collections import deque
from dataclasses import dataclass, field
from html.parser import HTMLParser
from urllib.parse import parse_qsl, urldefrag, urljoin, urlsplit

from hypothesis import strategies as st

from cloe_portal.demo import DEMO_LOGINS, DEMO_PASSWORD

# --- hostile values -----------------------------------------------------------------------

XSS_SCRIPT = "<script>alert(1)</script>"
XSS_IMG = '"><img src=x onerror=alert(1)>'
# What must never appear as is in an HTML page (a stored or reflected payload not escaped).
RAW_MARKERS = (XSS_SCRIPT, "<img src=x onerror=alert(1)>")

# Typed-looking text with a NUL, an ESC sequence, a right-to-left override.
CONTROL_TEXTS = ("Dupont\x00", "Du\x1b[31mpont", "\u202eDupont\u202c")

HOSTILE_STRINGS = [
    XSS_SCRIPT,
    XSS_IMG,
    "javascript:alert(1)",
    "' OR '1'='1' --",
    "1; DROP TABLE user_account; --",
    "\" OR \"\"=\"",
    "%s%s%s%n",
    "{{ 7*7 }}{% raw %}",
    "\x00",
    "abc\x00def",
    "\x01\x02\x1b[31m\x7f",
    "\r\n\r\nSet-Cookie: x=1",
    "\u202eevil\u202c",
    "\u200f\u200e\ufeff",
    "🇫🇷🙂" * 3,
    "é" * 300,
    "A" * 100_000,
    "A" * 100_000 + XSS_SCRIPT,
    "",
    " ",
    "-1",
    "-7.5",
    "0",
    "1e309",
    "NaN",
    "99999999999999999999999",
    "9" * 5000,
    "³",
    "²5",
    "٣",
    "3.14",
    "31/02/2026",
    "2026-02-31",
    "29/02/2025",
    "00/00/0000",
    "9999-99-99",
    "2026-13",
    "25:61",
    "true",
    "null",
    "[]",
    "../../etc/passwd",
    "x" * 255,
]

hostile_text = st.one_of(
    st.sampled_from(HOSTILE_STRINGS),
    st.text(max_size=40),
    st.text(alphabet=st.characters(codec="utf-8"), min_size=1, max_size=20).map(lambda s: s + XSS_SCRIPT),
    st.integers(min_value=-(10**12), max_value=10**12).map(str),
    st.floats(allow_nan=True, allow_infinity=True).map(str),
)


def plausible_text(name: str, kind: str, original: str, counter: list[int]) -> str:
    """A value a form would accept, guessed from the field's name and type."""
    n = name.lower()
    counter[0] += 1
    if kind == "email" or "email" in n or "courriel" in n:
        return f"fuzz{counter[0]}@example.fr"
    if kind == "date" or n.endswith("date") or "date_" in n or "naissance" in n or n == "day":
        return "2026-09-15"
    if kind == "month" or n == "month" or n == "mois":
        return "2026-05"
    if kind == "time" or "time" in n or "heure" in n:
        return "10:00"
    if kind == "number" or "hours" in n or "heures" in n or "nombre" in n or "count" in n:
        return original or "20"
    if "siret" in n:
        return "81234567800019"
    if "postcode" in n or "postal" in n:
        return "75001"
    if "phone" in n or "telephone" in n:
        return "0612345678"
    if "website" in n or "url" in n or "link" in n or "site" in n:
        return "https://example.fr"
    if "country" in n or "pays" in n:
        return "France"
    if "cpf" in n:
        return "70123456789"
    if "password" in n or "confirm" in n:
        return "Mot-de-passe-2026"
    return original or "Dupont"


# --- files --------------------------------------------------------------------------------

PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"
PNG = (b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00\x00\x01\x00\x00\x00\x01\x08\x06\x00\x00"
       b"\x00\x1f\x15\xc4\x89\x00\x00\x00\rIDATx\x9cc\xf8\x0f\x00\x00\x01\x01\x00\x05\x18\xd8N"
       b"\x00\x00\x00\x00IEND\xaeB`\x82")
JPEG = b"\xff\xd8\xff\xe0\x00\x10JFIF\x00\x01\x01\x00\x00\x01\x00\x01\x00\x00\xff\xd9"
HTML_FILE = b"<!doctype html><html><body>" + XSS_SCRIPT.encode() + b"</body></html>"
CANDIDATE_HEADER = ("NOM;PRENOM;EMAIL;DATE_NAISSANCE;NIVEAU_VISE;HEURES_FORMATION;"
                    "NUMERO_DOSSIER_CPF;FINANCEMENT;AMENAGEMENTS")
EDOF_HEADER = ("NUMERO_DOSSIER;NOM;PRENOM;MONTANT;INTITULE;INTITULE_CERTIF;STATUT_DOSSIER;"
               "DATE_DEBUT_SESSION;DATE_FIN_SESSION")
FILENAMES = ["document.pdf", "candidats.csv", "extraction.xlsx", "photo.jpg", "photo.png",
             "banque.json", "son.ogg", "page.html", "", "sans-extension",
             "../../../etc/passwd", XSS_SCRIPT + ".pdf", "\u202egpj.exe", "é" * 200 + ".csv"]

cell = st.one_of(st.sampled_from(HOSTILE_STRINGS[:16] + HOSTILE_STRINGS[19:]),
                 st.sampled_from(["Martin", "Julie", "julie@example.fr", "14/03/1990", "B1", "20",
                                  "CPF", "01/02/2026", "28/02/2026", "Terminé", "1 200,00"]))


@st.composite
def csv_files(draw) -> bytes:
    header = draw(st.sampled_from([CANDIDATE_HEADER, EDOF_HEADER, "a,b,c", ""]))
    width = max(1, header.count(";") + 1)
    rows = draw(st.lists(st.lists(cell, min_size=width - 1, max_size=width + 1), max_size=4))
    sep = draw(st.sampled_from([";", "\t", ","]))
    text = "\r\n".join([header.replace(";", sep)] + [sep.join(r) for r in rows])
    encoding = draw(st.sampled_from(["utf-8", "utf-8-sig", "cp1252", "utf-16"]))
    return text.encode(encoding, errors="replace")


@st.composite
def xlsx_files(draw) -> bytes:
    from openpyxl import Workbook

    header = draw(st.sampled_from([CANDIDATE_HEADER, EDOF_HEADER]))
    rows = draw(st.lists(st.lists(cell, min_size=1, max_size=10), max_size=3))
    wb = Workbook()
    ws = wb.active
    ws.append(header.split(";"))
    for row in rows:
        # openpyxl refuses control characters in cells: keep the rest of the hostility.
        ws.append([re.sub(r"[\x00-\x08\x0b\x0c\x0e-\x1f]", "", v)[:30000] for v in row])
    out = io.BytesIO()
    wb.save(out)
    return out.getvalue()


json_leaf = st.one_of(st.none(), st.booleans(), st.integers(), st.floats(allow_nan=False),
                      st.sampled_from(HOSTILE_STRINGS[:16]))
json_value = st.recursive(json_leaf, lambda inner: st.one_of(
    st.lists(inner, max_size=3), st.dictionaries(st.sampled_from(
        ["language", "items", "code", "type", "difficulty", "section", "content", "key",
         "status", "options", "answer", "audio", "text"]), inner, max_size=5)), max_leaves=12)


@st.composite
def json_files(draw) -> bytes:
    doc = draw(st.one_of(
        json_value,
        st.fixed_dictionaries({"language": st.sampled_from(["en", "fr", "xx", XSS_SCRIPT]),
                               "items": st.lists(json_value, max_size=3)}),
    ))
    return json.dumps(doc).encode()


file_contents = st.one_of(
    st.just(b""),
    st.just(HTML_FILE),
    st.just(PDF),
    st.just(PNG),
    st.just(JPEG),
    st.just(PDF[:5] + HTML_FILE),
    st.binary(max_size=512),
    csv_files(),
    xlsx_files(),
    json_files(),
    st.just(b"A" * 100_000),
)

file_values = st.tuples(file_contents, st.sampled_from(FILENAMES),
                        st.sampled_from(["application/octet-stream", "text/html", "application/pdf",
                                         "image/jpeg", "text/csv"]))


# --- HTML forms -----------------------------------------------------------------------------


@dataclass
class Field:
    name: str
    kind: str  # text, hidden, email, select, checkbox, radio, file, textarea, submit, …
    value: str = ""
    options: list[str] = field(default_factory=list)


@dataclass
class Form:
    page: str
    action: str
    method: str
    multipart: bool
    htmx: bool
    fields: dict[str, Field] = field(default_factory=dict)

    def signature(self) -> tuple:
        return (self.method, urlsplit(self.action).path, tuple(sorted(self.fields)))


class _FormParser(HTMLParser):
    def __init__(self, page: str) -> None:
        super().__init__(convert_charrefs=True)
        self.page = page
        self.forms: list[Form] = []
        self._form: Form | None = None
        self._select: Field | None = None
        self._textarea: Field | None = None

    def handle_starttag(self, tag: str, attrs: list) -> None:
        a = {k: (v or "") for k, v in attrs}
        if tag == "option" and self._select is not None:
            self._select.options.append(a.get("value", ""))
            return
        if tag == "form":
            action = a.get("action") or a.get("hx-post") or a.get("hx-get") or self.page
            method = "post" if (a.get("method", "get").lower() == "post" or "hx-post" in a) else "get"
            self._form = Form(page=self.page, action=urljoin(self.page, action), method=method,
                              multipart="multipart" in a.get("enctype", "") or "hx-encoding" in a,
                              htmx="hx-post" in a or "hx-get" in a)
            self.forms.append(self._form)
            return
        form = self._form
        if form is None or not a.get("name"):
            return
        name = a["name"]
        if tag == "input":
            kind = a.get("type", "text").lower()
            if kind in ("button", "reset", "image"):
                return
            f = form.fields.setdefault(name, Field(name, kind, a.get("value", "")))
            if kind in ("radio", "checkbox", "submit"):
                f.options.append(a.get("value", "on" if kind != "submit" else ""))
        elif tag == "button" and a.get("type", "submit") == "submit":
            f = form.fields.setdefault(name, Field(name, "submit", a.get("value", "")))
            f.options.append(a.get("value", ""))
        elif tag == "select":
            self._select = form.fields.setdefault(name, Field(name, "select"))
        elif tag == "textarea":
            self._textarea = form.fields.setdefault(name, Field(name, "textarea"))

    def handle_startendtag(self, tag: str, attrs: list) -> None:
        self.handle_starttag(tag, attrs)

    def handle_data(self, data: str) -> None:
        if self._textarea is not None:
            self._textarea.value += data

    def handle_endtag(self, tag: str) -> None:
        if tag == "form":
            self._form = None
        elif tag == "select":
            self._select = None
        elif tag == "textarea":
            self._textarea = None


def parse_forms(page: str, html: str) -> list[Form]:
    parser = _FormParser(page)
    parser.feed(html)
    return parser.forms


# --- crawling ---------------------------------------------------------------------------------

HREF = re.compile(r'href="([^"]+)"')
SKIP = re.compile(r"/(logout|static)/?|\.(pdf|csv|xlsx|ics|ogg|mp3|jpg|jpeg|png|zip|json)$|/download",
                  re.I)
CSRF_META = re.compile(r'name="csrf-token" content="([^"]+)"')


def is_html(response) -> bool:  # noqa: ANN001
    return "text/html" in response.headers.get("Content-Type", "")


def local_target(location: str) -> str | None:
    target = urlsplit(location)
    if target.netloc and not target.netloc.startswith("localhost"):
        return None
    return target.path + (f"?{target.query}" if target.query else "")


def crawl_pages(client, starts: list[str], limit: int = 150, endpoint_of=None,  # noqa: ANN001
                per_endpoint: int = 3) -> dict[str, object]:
    """GET same-site pages from `starts`; return {url: response} (HTML or not).

    With `endpoint_of(url)`, at most `per_endpoint` pages of one endpoint are visited (a bank
    of 900 items or 50 calendar weeks would otherwise use up the budget).
    """
    seen: dict[str, object] = {}
    visits: dict[str, int] = {}
    queue = deque(starts)
    while queue and len(seen) < limit:
        url = queue.popleft()
        if url in seen:
            continue
        if endpoint_of is not None:
            endpoint = endpoint_of(url) or url
            if visits.get(endpoint, 0) >= per_endpoint:
                continue
            visits[endpoint] = visits.get(endpoint, 0) + 1
        response = client.get(url)
        seen[url] = response
        if response.status_code in (301, 302, 303, 307, 308):
            nxt = local_target(response.headers["Location"])
            if nxt and "/login" not in nxt:
                queue.append(nxt)
            continue
        if not is_html(response):
            continue
        for href in HREF.findall(response.get_data(as_text=True)):
            href = urldefrag(href.replace("&amp;", "&"))[0]
            parts = urlsplit(href)
            if parts.scheme or parts.netloc or not href.startswith("/") or SKIP.search(parts.path):
                continue
            if href not in seen:
                queue.append(href)
    return seen


def query_fields(url: str) -> list[tuple[str, str]]:
    return parse_qsl(urlsplit(url).query, keep_blank_values=True)


# --- roles ---------------------------------------------------------------------------------------

DEMO_EMAILS = dict(DEMO_LOGINS)


def login_as(client, role: str) -> bool:  # noqa: ANN001
    """Log the demo user of `role` in through the real form; False when refused."""
    from cloe_portal.extensions import limiter

    limiter.reset()
    html = client.get("/login").get_data(as_text=True)
    token = CSRF_META.search(html)
    if token is None:  # already logged in
        return True
    response = client.post("/login", data={"email": DEMO_EMAILS[role], "password": DEMO_PASSWORD,
                                           "csrf_token": token.group(1)})
    return response.status_code == 303

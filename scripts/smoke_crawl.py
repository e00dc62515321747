"""Log in as each demo user and fetch what they can reach; fail on any server error.

    .venv/bin/python scripts/smoke_crawl.py http://127.0.0.1:8000 [--par-page 20]
        [--cles-totp FICHIER]

Run by scripts/smoke_production.sh against gunicorn started with the production settings.
Each user logs in through the real login form (CSRF token, cookies), then the crawler fetches
every page of their menus (viewflow's drawer, the admin's sidebar) and, from each menu page,
the first `--par-page` pages it links to (the records it lists), not followed further. It
talks to gunicorn as the TLS proxy would: `X-Forwarded-Proto: https`, and it keeps the Secure
cookies itself.

Production asks most roles for a second factor after the password: `--cles-totp` names a file
of `identifiant clé-en-base32` lines (what `manage.py enroler_totp` prints), and the crawler
types the current code, computed from the key (RFC 6238), on the verification page.

Pages may answer 403 or 404 (a role sees only its own records); a page answering 5xx fails the
smoke. Every stylesheet, script and image the pages reference, and the fonts and images the
stylesheets reference, is fetched once: any answer of 400 or more fails the smoke, and so does
a page referencing a static file under a name without its content hash (no cache busting).

Standard library only: the crawler's core (`crawl`) takes a `fetch` function, so the tests
drive it with a fake site.
"""

import argparse
import base64
import hashlib
import hmac
import http.client
import re
import sys
import time
from collections import deque
from collections.abc import Callable
from dataclasses import dataclass, field
from html.parser import HTMLParser
from http.cookies import SimpleCookie
from urllib.parse import urlencode, urljoin, urlsplit

DEMO_USERS = [
    "admin", "conseiller1", "conseiller2", "ts1", "commission1", "gestionnaire1", "finance1",
    "alpha1", "alpha2", "beta1", "gamma1",
]  # fmt: skip
DEMO_PASSWORD = "demo-parcours-2026"
LOGIN_PATH = "/accounts/login/"
SECOND_FACTOR_PATH = "/accounts/deux-facteurs/"
STATIC_PREFIX = "/static/"
# Links that end the session or act on a record: never followed. Their GET only shows a
# confirmation form, but the crawl must not depend on it.
ACTION_SEGMENT = re.compile(
    r"/(logout|delete|cancel|undo|revive|assign|unassign|lue)/", re.IGNORECASE
)
# ManifestStaticFilesStorage names a collected file `name.<12 hex digits>.ext`.
HASHED_NAME = re.compile(r"\.[0-9a-f]{12}\.[^./]+$")
CSS_URL = re.compile(r"""url\(\s*(['"]?)([^'")]+)\1\s*\)""")
MAX_REDIRECTS = 5


@dataclass
class Response:
    status: int
    headers: list[tuple[str, str]]
    body: bytes = b""

    def header(self, name: str) -> str:
        return next((v for k, v in self.headers if k.lower() == name.lower()), "")

    @property
    def is_html(self) -> bool:
        return self.header("Content-Type").startswith("text/html")

    @property
    def text(self) -> str:
        return self.body.decode("utf-8", "replace")


# fetch(method, path, headers, body) -> Response; path is "/path?query".
Fetch = Callable[[str, str, dict[str, str], bytes | None], Response]


@dataclass
class Failure:
    user: str
    url: str
    status: int | str
    found_on: str

    def __str__(self):
        return f"{self.status}  {self.url}  ({self.user}, lien trouvé sur {self.found_on})"


@dataclass
class Report:
    pages: dict[str, int] = field(default_factory=dict)  # user -> pages fetched
    seconds: dict[str, float] = field(default_factory=dict)
    assets: int = 0
    failures: list[Failure] = field(default_factory=list)


class _Links(HTMLParser):
    """The links (menu links apart), static references and form fields of one HTML page."""

    MENUS = ("nav", "aside")  # viewflow's drawer is an <aside>, the admin's sidebar a <nav>

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.menu_links, self.links, self.assets, self.fields = [], [], [], {}
        self._in_menu = 0

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag in self.MENUS:
            self._in_menu += 1
        elif tag == "a" and attrs.get("href"):
            (self.menu_links if self._in_menu else self.links).append(attrs["href"])
        elif tag == "link" and attrs.get("href"):
            self.assets.append(attrs["href"])
        elif tag in ("script", "img") and attrs.get("src"):
            self.assets.append(attrs["src"])
        elif tag == "input" and attrs.get("name"):
            self.fields[attrs["name"]] = attrs.get("value") or ""

    def handle_endtag(self, tag):
        if tag in self.MENUS and self._in_menu:
            self._in_menu -= 1


def parse(html: str) -> _Links:
    parser = _Links()
    parser.feed(html)
    return parser


def same_origin_path(base: str, href: str, origin: str) -> str | None:
    """The "/path?query" of `href` seen from page `base`, or None if it leaves the site."""
    if href.startswith(("#", "javascript:", "mailto:", "tel:", "data:")):
        return None
    url = urlsplit(urljoin(origin + base, href.strip()))
    if url.scheme not in ("http", "https") or url.netloc != urlsplit(origin).netloc:
        return None
    return url.path + (f"?{url.query}" if url.query else "")


class Browser:
    """One user's session: cookies kept by hand, since they are Secure and we speak HTTP."""

    def __init__(self, fetch: Fetch, origin: str):
        self.fetch, self.origin, self.cookies = fetch, origin, {}

    def request(self, method, path, body=None, headers=None) -> Response:
        headers = {"X-Forwarded-Proto": "https", **(headers or {})}
        if self.cookies:
            headers["Cookie"] = "; ".join(f"{k}={v}" for k, v in self.cookies.items())
        response = self.fetch(method, path, headers, body)
        for key, value in response.headers:
            if key.lower() == "set-cookie":
                for name, morsel in SimpleCookie(value).items():
                    if morsel["max-age"] == "0":
                        self.cookies.pop(name, None)
                    else:
                        self.cookies[name] = morsel.value
        return response

    def get(self, path) -> tuple[str, Response]:
        """GET, following same-origin redirects; returns the final path and its response."""
        response = self.request("GET", path)
        for _ in range(MAX_REDIRECTS):
            target = response.header("Location")
            if response.status not in (301, 302, 303, 307, 308) or not target:
                break
            following = same_origin_path(path, target, self.origin)
            if following is None:
                break
            path, response = following, self.request("GET", following)
        return path, response

    def submit(self, path, fields) -> Response:
        """GET the form at `path`, then POST `fields` to it with its CSRF token."""
        _, form = self.get(path)
        token = parse(form.text).fields.get("csrfmiddlewaretoken", "")
        body = urlencode({"csrfmiddlewaretoken": token, **fields}).encode()
        https_origin = "https://" + urlsplit(self.origin).netloc
        return self.request(
            "POST",
            path,
            body,
            {
                "Content-Type": "application/x-www-form-urlencoded",
                "Origin": https_origin,
                "Referer": https_origin + path,
            },
        )

    def log_in(self, username, password, totp_key=None) -> Response:
        """The password, then the second factor's code when the application asks for it."""
        response = self.submit(LOGIN_PATH, {"username": username, "password": password})
        landing = same_origin_path(LOGIN_PATH, response.header("Location"), self.origin)
        if response.status != 302 or landing is None:
            return response
        # The application sends the user on to the second factor from the first page asked.
        final, _ = self.get(landing)
        if final.startswith(SECOND_FACTOR_PATH):
            if not totp_key:
                return Response(401, [])
            return self.submit(final, {"code": totp_code(totp_key)})
        return response


def read_totp_keys(path: str | None) -> dict[str, str]:
    """The `identifiant clé` lines `manage.py enroler_totp` prints, as a dict (none: empty)."""
    if not path:
        return {}
    with open(path, encoding="utf-8") as lines:
        return dict(line.split() for line in lines if line.strip())


def totp_code(base32_key: str, at: float | None = None) -> str:
    """The code an authenticator application shows (RFC 6238: SHA-1, 30 s, 6 digits)."""
    counter = int((time.time() if at is None else at) // 30)
    digest = hmac.new(
        base64.b32decode(base32_key), counter.to_bytes(8, "big"), hashlib.sha1
    ).digest()
    offset = digest[-1] & 0x0F
    return f"{int.from_bytes(digest[offset : offset + 4], 'big') & 0x7FFFFFFF:010d}"[-6:]


def _follows(path: str) -> bool:
    return not ACTION_SEGMENT.search(urlsplit(path).path) and not path.startswith(STATIC_PREFIX)


def crawl_user(
    browser: Browser,
    user: str,
    password: str,
    per_page: int,
    report: Report,
    assets: dict,
    totp_key: str | None = None,
) -> None:
    """Log `user` in; fetch every page of their menus and `per_page` records of each."""
    started = time.monotonic()
    login = browser.log_in(user, password, totp_key)
    landing = same_origin_path(LOGIN_PATH, login.header("Location"), browser.origin)
    if (
        login.status != 302
        or landing is None
        or landing.startswith((LOGIN_PATH, SECOND_FACTOR_PATH))
    ):
        report.failures.append(
            Failure(user, LOGIN_PATH, f"connexion refusée ({login.status})", "-")
        )
        return
    seen = {LOGIN_PATH, landing}
    queue = deque([(landing, "connexion", True)])  # (path, found on, is a menu page)
    fetched = 0
    while queue:
        path, found_on, is_menu = queue.popleft()
        final, response = browser.get(path)
        seen.add(final)
        fetched += 1
        if response.status >= 500:
            report.failures.append(Failure(user, path, response.status, found_on))
            continue
        if not response.is_html:
            continue
        page = parse(response.text)
        for href in page.assets:
            asset = same_origin_path(final, href, browser.origin)
            if asset and asset.startswith(STATIC_PREFIX):
                assets.setdefault(asset, (user, final))
        # A menu page's own links are its records: at most `per_page`, not followed further.
        menus = [(href, True) for href in page.menu_links]
        records = [(href, False) for href in page.links] if is_menu else []
        records_left = per_page
        for href, menu in menus + records:
            link = same_origin_path(final, href, browser.origin)
            if link is None or link in seen or not _follows(link):
                continue
            if not menu:
                if records_left == 0:
                    break
                records_left -= 1
            seen.add(link)
            queue.append((link, final, menu))
    report.pages[user] = fetched
    report.seconds[user] = time.monotonic() - started


def check_assets(fetch: Fetch, origin: str, assets: dict, report: Report) -> None:
    """Fetch each static file once, and the files each stylesheet references."""
    browser = Browser(fetch, origin)
    queue, done = deque(assets.items()), set()
    while queue:
        asset, (user, found_on) = queue.popleft()
        if asset in done:
            continue
        done.add(asset)
        if not HASHED_NAME.search(urlsplit(asset).path):
            report.failures.append(Failure(user, asset, "nom sans empreinte", found_on))
        response = browser.request("GET", asset)
        if response.status >= 400:
            report.failures.append(Failure(user, asset, response.status, found_on))
        elif urlsplit(asset).path.endswith(".css"):
            for _, href in CSS_URL.findall(response.text):
                target = same_origin_path(asset, href, origin)
                if target and target.startswith(STATIC_PREFIX):
                    queue.append((target, (user, asset)))
    report.assets = len(done)


def crawl(
    fetch: Fetch,
    origin: str,
    users=DEMO_USERS,
    password: str = DEMO_PASSWORD,
    per_page: int = 20,
    totp_keys: dict[str, str] | None = None,
) -> Report:
    report, assets = Report(), {}
    for user in users:
        key = (totp_keys or {}).get(user)
        crawl_user(Browser(fetch, origin), user, password, per_page, report, assets, key)
    check_assets(fetch, origin, assets, report)
    return report


def http_fetch(origin: str, timeout: float = 120) -> Fetch:
    """A fetch over plain HTTP to `origin` (gunicorn), one connection per request."""
    netloc = urlsplit(origin).netloc

    def fetch(method, path, headers, body):
        connection = http.client.HTTPConnection(netloc, timeout=timeout)
        try:
            connection.request(method, path, body=body, headers={"Host": netloc, **headers})
            answer = connection.getresponse()
            return Response(answer.status, answer.getheaders(), answer.read())
        except OSError as error:
            return Response(599, [], str(error).encode())
        finally:
            connection.close()

    return fetch


def wait_until_up(fetch: Fetch, seconds: float) -> bool:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if fetch("GET", LOGIN_PATH, {"X-Forwarded-Proto": "https"}, None).status == 200:
            return True
        time.sleep(0.5)
    return False


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("origin", help="http://127.0.0.1:PORT (gunicorn)")
    parser.add_argument("--par-page", type=int, default=20, help="liens suivis par page de menu")
    parser.add_argument("--attente", type=float, default=60, help="secondes pour démarrer")
    parser.add_argument(
        "--cles-totp", help="fichier de lignes « identifiant clé » (manage.py enroler_totp)"
    )
    options = parser.parse_args(argv)
    totp_keys = read_totp_keys(options.cles_totp)
    fetch = http_fetch(options.origin)
    if not wait_until_up(fetch, options.attente):
        print(f"Le serveur ne répond pas sur {options.origin}{LOGIN_PATH}.", file=sys.stderr)
        return 1
    started = time.monotonic()
    report = crawl(fetch, options.origin, per_page=options.par_page, totp_keys=totp_keys)
    for user in DEMO_USERS:
        if user in report.pages:
            print(f"  {user:<14} {report.pages[user]:>4} pages  {report.seconds[user]:5.1f} s")
    total = sum(report.pages.values())
    elapsed = time.monotonic() - started
    print(f"{total} pages, {report.assets} fichiers statiques, {elapsed:.0f} s.")
    if report.failures:
        print(f"ÉCHEC : {len(report.failures)} réponse(s) en erreur :", file=sys.stderr)
        for failure in report.failures:
            print(f"  {failure}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())

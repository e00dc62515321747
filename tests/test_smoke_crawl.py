"""The production smoke's crawler fails when a page breaks: shown on a small fake site."""

from urllib.parse import parse_qs

from scripts.smoke_crawl import Response, crawl, totp_code

ORIGIN = "http://127.0.0.1:8000"
HEAD = (
    '<link rel="stylesheet" href="/static/site.0123456789ab.css">'
    '<script src="/static/site.0123456789ab.js"></script>'
)
MENU = '<aside><a href="/accueil/">Accueil</a><a href="/demandeurs/">Demandeurs</a></aside>'


def html(body, head=HEAD):
    return Response(200, [("Content-Type", "text/html; charset=utf-8")], (head + body).encode())


class FakeSite:
    """Answers like the application behind its TLS proxy: Secure cookies, CSRF on login."""

    def __init__(self, pages, password="demo-parcours-2026"):
        self.pages, self.password, self.requests = pages, password, []

    def __call__(self, method, path, headers, body):
        self.requests.append((method, path))
        cookies = headers.get("Cookie", "")
        assert headers["X-Forwarded-Proto"] == "https"
        if path == "/accounts/login/" and method == "GET":
            return Response(
                200,
                [("Content-Type", "text/html"), ("Set-Cookie", "csrftoken=t0k; Secure; Path=/")],
                b'<form method="post"><input type="hidden" name="csrfmiddlewaretoken" value="t0k">',
            )
        if path == "/accounts/login/":
            form = parse_qs(body.decode())
            if "csrftoken=t0k" not in cookies or form["csrfmiddlewaretoken"] != ["t0k"]:
                return Response(403, [])
            if form["password"] != [self.password]:
                return html("Saisissez un identifiant et un mot de passe valides.")
            return Response(
                302, [("Location", "/"), ("Set-Cookie", "sessionid=s; Secure; HttpOnly; Path=/")]
            )
        if path.startswith("/static/"):
            return Response(200 if path in self.pages else 404, [("Content-Type", "text/css")])
        if "sessionid=s" not in cookies:
            return Response(302, [("Location", f"/accounts/login/?next={path}")])
        return self.pages.get(path) or Response(404, [("Content-Type", "text/html")])


def site(**changes):
    pages = {
        "/": Response(302, [("Location", "/accueil/")]),
        "/accueil/": html(MENU + '<a href="/accounts/logout/">Déconnexion</a>'),
        "/demandeurs/": html(
            MENU + "".join(f'<a href="/demandeurs/{n}/">Dossier {n}</a>' for n in range(1, 6))
        ),
        **{
            f"/demandeurs/{n}/": html(MENU + f'<a href="/demandeurs/{n}/x/">x</a>')
            for n in range(1, 6)
        },
        "/static/site.0123456789ab.css": None,
        "/static/site.0123456789ab.js": None,
        **changes,
    }
    return FakeSite(pages)


def test_a_healthy_site_passes_and_every_user_fetched_their_menu_and_records():
    report = crawl(site(), ORIGIN, users=["conseiller1", "ts1"])
    assert report.failures == []
    # Home, the list, its five records (not followed further: no /x/ page).
    assert report.pages == {"conseiller1": 7, "ts1": 7}
    assert report.assets == 2


def test_a_record_page_answering_500_fails_the_smoke_naming_the_user_and_the_page_linking_it():
    broken = site(**{"/demandeurs/3/": Response(500, [("Content-Type", "text/html")])})
    report = crawl(broken, ORIGIN, users=["conseiller1"])
    assert [(f.user, f.url, f.status, f.found_on) for f in report.failures] == [
        ("conseiller1", "/demandeurs/3/", 500, "/demandeurs/")
    ]


def test_a_missing_static_file_or_one_without_its_content_hash_fails_the_smoke():
    favicon = '<link rel="icon" href="/static/favicon.png">'
    broken = site(**{"/accueil/": html(MENU, head=HEAD + favicon), "/static/favicon.png": None})
    del broken.pages["/static/site.0123456789ab.js"]
    failures = {(f.url, f.status) for f in crawl(broken, ORIGIN, users=["ts1"]).failures}
    assert failures == {
        ("/static/site.0123456789ab.js", 404),
        ("/static/favicon.png", "nom sans empreinte"),
    }


def test_a_user_who_cannot_log_in_fails_the_smoke():
    report = crawl(site(), ORIGIN, users=["ts1"], password="mauvais")
    assert [(f.user, f.url) for f in report.failures] == [("ts1", "/accounts/login/")]


def test_the_smoke_stays_within_its_bounds_and_never_logs_out():
    fake = site()
    crawl(fake, ORIGIN, users=["ts1"], per_page=2)
    fetched = {path for method, path in fake.requests}
    assert "/accounts/logout/" not in fetched
    assert {"/demandeurs/1/", "/demandeurs/2/"} <= fetched
    assert "/demandeurs/3/" not in fetched


KEY = "JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP"


class SiteWithSecondFactor(FakeSite):
    """Production: after the password, every page leads to the second factor until the code
    of the user's key is typed; only then does the session count."""

    def __call__(self, method, path, headers, body):
        verification = "/accounts/deux-facteurs/?next=/"
        cookies = headers.get("Cookie", "")
        if path == "/accounts/login/" and method == "POST":
            answer = super().__call__(method, path, headers, body)
            if answer.status == 302:
                return Response(
                    302, [("Location", "/"), ("Set-Cookie", "pending=p; Secure; Path=/")]
                )
            return answer
        if "pending=p" in cookies and "sessionid=s" not in cookies:
            self.requests.append((method, path))
            if path != verification:
                return Response(302, [("Location", verification)])
            if method == "GET":
                return html('<form method="post"><input name="csrfmiddlewaretoken" value="t0k">')
            if parse_qs(body.decode()).get("code") == [totp_code(KEY)]:
                return Response(
                    302, [("Location", "/"), ("Set-Cookie", "sessionid=s; Secure; Path=/")]
                )
            return html("Code incorrect ou expiré.")
        return super().__call__(method, path, headers, body)


def test_a_user_asked_for_the_second_factor_logs_in_with_the_code_of_their_key():
    fake = SiteWithSecondFactor(site().pages)
    report = crawl(fake, ORIGIN, users=["ts1"], totp_keys={"ts1": KEY})
    assert report.failures == [] and report.pages == {"ts1": 7}
    assert ("POST", "/accounts/deux-facteurs/?next=/") in fake.requests


def test_a_user_asked_for_the_second_factor_without_a_key_fails_the_smoke():
    report = crawl(SiteWithSecondFactor(site().pages), ORIGIN, users=["ts1"])
    assert [(f.user, f.url) for f in report.failures] == [("ts1", "/accounts/login/")]


def test_the_totp_code_is_the_one_of_rfc_6238():
    # RFC 6238, appendix B: the SHA-1 key "12345678901234567890" at 59 s gives 94287082.
    key = "GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQ"
    assert totp_code(key, at=59) == "287082"

#!/usr/bin/env python3
"""Prepare a demonstration server for the API checks, the way a person would.

    prepare.py BASE_URL

For the Prevent lead, the administrator, a board member and the referrer of the demonstration
partnership it signs in with the demonstration password on the sign-in page, sets up two-factor
authentication where the role needs it (working out the code from the key the page shows, as an authenticator app
does) and makes an API token on the "API tokens" page. Then, through the API, it reads the
partnership's id and this year's draft assessment, adds a small PDF as evidence to its first
question, and finds the spare membership (given by run.sh) for the membership calls to change. It prints shell assignments for schemathesis.toml:

    PK_LEAD_TOKEN=...  PK_ADMIN_TOKEN=...  PK_BOARD_TOKEN=...  PK_REFERRER_TOKEN=...
    PK_PARTNERSHIP=...  PK_ASSESSMENT=...  PK_QUESTION=...  PK_EVIDENCE=...  PK_MEMBERSHIP=...

Only the standard library; only for a new demonstration database (each account can set up
two-factor authentication once).
"""

import base64
import hashlib
import hmac
import html
import json
import re
import struct
import sys
import time
import urllib.error
import urllib.parse
import urllib.request

PASSWORD = "demo-password-2026"


class NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, req, fp, code, msg, headers, newurl):
        return None


class Browser:
    def __init__(self, base):
        self.base = base.rstrip("/")
        self.cookies = {}
        self.opener = urllib.request.build_opener(NoRedirect)

    def request(self, method, path, form=None):
        data = urllib.parse.urlencode(form).encode() if form is not None else None
        req = urllib.request.Request(self.base + path, data=data, method=method)
        if data is not None:
            req.add_header("Content-Type", "application/x-www-form-urlencoded")
        if self.cookies:
            req.add_header("Cookie", "; ".join(f"{k}={v}" for k, v in self.cookies.items()))
        try:
            res = self.opener.open(req, timeout=30)
        except urllib.error.HTTPError as e:
            res = e
        for c in res.headers.get_all("Set-Cookie") or []:
            kv, _, attrs = c.partition(";")
            k, _, v = kv.partition("=")
            if "Max-Age=0" in attrs:
                self.cookies.pop(k.strip(), None)
            else:
                self.cookies[k.strip()] = v.strip()
        return res.status, res.headers.get("Location"), res.read().decode("utf-8", "replace")

    def csrf(self, path):
        status, _, body = self.request("GET", path)
        m = re.search(r'name="csrf_token" value="([^"]+)"', body)
        if not m:
            sys.exit(f"prepare.py: no form on {path} (status {status})")
        return html.unescape(m.group(1))


def totp(secret_b32, at=None):
    key = base64.b32decode(secret_b32.replace(" ", "").upper() + "=" * (-len(secret_b32.replace(" ", "")) % 8))
    counter = int((at if at is not None else time.time()) // 30)
    digest = hmac.new(key, struct.pack(">Q", counter), hashlib.sha1).digest()
    offset = digest[-1] & 0x0F
    code = (struct.unpack(">I", digest[offset : offset + 4])[0] & 0x7FFFFFFF) % 1_000_000
    return f"{code:06d}"


def make_token(base, email, role):
    b = Browser(base)
    status, to, _ = b.request(
        "POST", "/sign-in", {"email": email, "password": PASSWORD, "csrf_token": b.csrf("/sign-in")}
    )
    if status != 303:
        sys.exit(f"prepare.py: signing in as {email} answered {status}")
    if to == "/sign-in/mfa/set-up":
        _, _, page = b.request("GET", to)
        m = re.search(r'id="totp-secret">([^<]+)<', page)
        csrf = re.search(r'name="csrf_token" value="([^"]+)"', page)
        if not m or not csrf:
            sys.exit("prepare.py: the set-up page shows no key")
        status, _, _ = b.request(
            "POST", to, {"code": totp(html.unescape(m.group(1))), "csrf_token": html.unescape(csrf.group(1))}
        )
        if status != 200:
            sys.exit(f"prepare.py: setting up two-factor authentication answered {status}")
    elif to != "/home":
        sys.exit(f"prepare.py: {email} needs a step this script does not take ({to})")
    _, _, page = b.request("GET", "/account/tokens")
    scope = next(
        (html.unescape(v) for v in re.findall(r'<option value="([^"]*)"', page) if html.unescape(v).endswith("|" + role)),
        None,
    )
    csrf = re.search(r'name="csrf_token" value="([^"]+)"', page)
    if scope is None or not csrf:
        sys.exit(f"prepare.py: {email} has no role {role}")
    status, _, page = b.request(
        "POST",
        "/account/tokens",
        {"name": "API checks", "scope": scope, "days": "1", "csrf_token": html.unescape(csrf.group(1))},
    )
    m = re.search(r'id="new-token"[^>]*>([^<]+)<', page)
    if status != 200 or not m:
        sys.exit(f"prepare.py: making the token answered {status}")
    return html.unescape(m.group(1)).strip()


def api(base, token, path):
    req = urllib.request.Request(base.rstrip("/") + path, headers={"Authorization": f"Bearer {token}"})
    with urllib.request.urlopen(req, timeout=30) as res:
        return json.load(res)


def post(base, token, path, body):
    req = urllib.request.Request(
        base.rstrip("/") + path,
        data=json.dumps(body).encode(),
        method="POST",
        headers={"Authorization": f"Bearer {token}", "Content-Type": "application/json"},
    )
    with urllib.request.urlopen(req, timeout=30) as res:
        return json.load(res)


def main():
    if len(sys.argv) != 2:
        sys.exit("usage: prepare.py BASE_URL")
    base = sys.argv[1]
    lead = make_token(base, "lead@riverton.example", "prevent-lead")
    admin = make_token(base, "admin@riverton.example", "administrator")
    board = make_token(base, "board@riverton.example", "board-member")
    referrer = make_token(base, "referrer@riverton.example", "referrer")
    partnership = api(base, lead, "/api/v1/me")["partnership_id"]
    drafts = [a for a in api(base, lead, f"/api/v1/partnerships/{partnership}/assessments") if a["state"] == "draft"]
    if not drafts:
        sys.exit("prepare.py: the demonstration partnership has no draft assessment")
    assessment = drafts[0]["id"]
    responses = api(base, lead, f"/api/v1/partnerships/{partnership}/assessments/{assessment}/responses")
    question = responses[0]["question"]
    evidence = post(
        base,
        lead,
        f"/api/v1/partnerships/{partnership}/assessments/{assessment}/responses/{question}/evidence",
        {
            "kind": "file",
            "title": "Minutes",
            "file_name": "minutes.pdf",
            "content_base64": base64.b64encode(b"%PDF-1.4\n% minutes\n").decode(),
            "marking": "official",
        },
    )["id"]
    # The spare role run.sh gave from the command line: the membership calls act on it alone.
    spare = [
        m
        for m in api(base, admin, f"/api/v1/partnerships/{partnership}/memberships")
        if m["email"] == "regional@riverton.example" and m["role"] == "auditor"
    ]
    if len(spare) != 1:
        sys.exit("prepare.py: the spare membership for the membership calls is missing")
    membership = spare[0]["id"]
    for k, v in [
        ("PK_LEAD_TOKEN", lead),
        ("PK_ADMIN_TOKEN", admin),
        ("PK_BOARD_TOKEN", board),
        ("PK_REFERRER_TOKEN", referrer),
        ("PK_PARTNERSHIP", partnership),
        ("PK_ASSESSMENT", assessment),
        ("PK_QUESTION", question),
        ("PK_EVIDENCE", evidence),
        ("PK_MEMBERSHIP", membership),
    ]:
        if not re.fullmatch(r"[A-Za-z0-9_.\-]+", v):
            sys.exit(f"prepare.py: unexpected {k}")
        print(f"{k}={v}")


if __name__ == "__main__":
    main()

"""HTTP against the real console: the history API's parameters, both login forms, the agent's
forms (reply, close) and the owner's (settings, answers, review labels, restores, promotion and
rollback), each with and without a session and a CSRF token, with hostile values, huge bodies,
invalid UTF-8 and wrong content types. The forms are read from the pages themselves and their
fields mutated, so the fuzzing follows the templates. Nothing may answer 5xx or log a traceback.

Not pressed with a valid token: the owner's "retrain" button (it starts a real training job);
it is fuzzed without a valid token only."""
from __future__ import annotations

import re
from html.parser import HTMLParser
from urllib.parse import quote

import pytest
import requests
from hypothesis import example, given, strategies as st

from fuzz_support import ACK_SECONDS, fuzz_settings
from fuzz_clients import shopper_socket

SURFACE_API, SURFACE_LOGIN, SURFACE_AGENT, SURFACE_OWNER, SURFACE_PATHS = (
    "GET /api/messages", "login forms", "agent forms", "owner forms", "paths and parameters")

# No lone surrogates (a client cannot send them as UTF-8); invalid UTF-8 is sent as bytes instead.
hostile_text = st.one_of(
    st.text(st.characters(blacklist_categories=("Cs",)), max_size=300),
    st.sampled_from(["", " ", "0", "-1", "9" * 40, "1e309", "NaN", "null", "true", "<script>alert(1)</script>",
                     "{{ 7*7 }}", "{store_name}", "{0.__class__}", "{", "}", "%s%s%n", "../../etc/passwd",
                     "\x00", "\ufeff", "运" * 5000, "' OR 1=1 --", "13800138000", "https://evil.example/x"]))
ids = st.one_of(st.integers(min_value=-10**30, max_value=10**30).map(str), st.text(max_size=30))


class Forms(HTMLParser):
    """The forms of a page: [(method, action, {name: value})]."""

    def __init__(self) -> None:
        super().__init__()
        self.forms: list[tuple[str, str, dict]] = []
        self._select = None

    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        if tag == "form":
            self.forms.append(((a.get("method") or "get").lower(), a.get("action") or "", {}))
        elif not self.forms:
            return
        elif tag in ("input", "textarea") and a.get("name"):
            if a.get("type") in ("checkbox", "radio") and "checked" not in a:
                self.forms[-1][2].setdefault(a["name"], "")
                return
            self.forms[-1][2][a["name"]] = a.get("value") or ""
        elif tag == "select" and a.get("name"):
            self._select = a["name"]
            self.forms[-1][2].setdefault(a["name"], "")
        elif tag == "option" and self._select and not self.forms[-1][2].get(self._select):
            self.forms[-1][2][self._select] = a.get("value") or ""

    def handle_endtag(self, tag):
        if tag == "select":
            self._select = None


def forms_of(client: requests.Session, url: str) -> list[tuple[str, str, dict]]:
    parser = Forms()
    parser.feed(client.get(url, timeout=ACK_SECONDS).text)
    return [f for f in parser.forms if f[0] == "post"]


def _send(figures, surface: str, client, method: str, url: str, **kwargs) -> requests.Response:
    try:
        resp = client.request(method, url, timeout=ACK_SECONDS, allow_redirects=False, **kwargs)
    except requests.Timeout:
        figures.count(surface, hang=True)
        raise
    figures.count(surface, resp.status_code)
    assert resp.status_code < 500, (method, url, resp.status_code, resp.text[:300])
    return resp


@pytest.fixture(scope="module")
def ticket_id(fuzz_console) -> int:
    """A ticket to work on: a shopper's message while Rasa is unreachable opens one."""
    sock = shopper_socket(fuzz_console)
    assert sock.call("send", {"text": "有人吗", "client_msg_id": "http-fuzz"})[0]["ok"]
    sock.close()
    for _ in range(50):
        found = re.findall(r"/agent/tickets/(\d+)", fuzz_console.agent.get(fuzz_console.url + "/agent", timeout=10).text)
        if found:
            return int(found[0])
        import time
        time.sleep(0.2)
    pytest.fail("no ticket appeared in the agent inbox")


@pytest.fixture(scope="module")
def owner_forms(fuzz_console):
    """Every POST form of the owner's pages, as the owner sees them."""
    url, found = fuzz_console.url, []
    pages = ["/owner/settings", "/owner/answers/too_fast", "/owner/answers/fee_quote", "/owner/review",
             "/owner/training", "/owner/models", "/owner/settings/history", "/owner/answers/history",
             "/owner/models/rollback"]
    for page in pages:
        found += [(page, f) for f in forms_of(fuzz_console.owner, url + page)]
    return [(page, f) for page, f in found if not f[1].endswith(("/logout", "/training/retrain"))]


@fuzz_settings(2)
@given(params=st.dictionaries(st.sampled_from(["after", "before", "limit", "x", "after[]"]), hostile_text, max_size=4),
       raw_query=st.one_of(st.none(), st.text(max_size=100)), with_cookie=st.booleans())
def test_the_history_api_answers_every_query_without_a_server_error(fuzz_console, params, raw_query, with_cookie):
    client = requests.Session()
    if with_cookie:
        client.get(fuzz_console.url + "/", timeout=ACK_SECONDS)
    query = quote(raw_query, safe="=&%") if raw_query is not None else None
    url = fuzz_console.url + "/api/messages" + (f"?{query}" if query is not None else "")
    resp = _send(fuzz_console.figures, SURFACE_API, client, "GET", url, params=None if query is not None else params)
    assert resp.status_code in (200, 400, 401, 413, 414), resp.status_code  # 413/414: a URL too long for Sanic
    if resp.status_code == 200:
        assert isinstance(resp.json()["messages"], list) and isinstance(resp.json()["more"], bool)


bodies = st.one_of(
    st.dictionaries(st.sampled_from(["username", "password", "csrf_token", "x"]), hostile_text, max_size=4),
    st.binary(max_size=2000), st.just(b"\xff\xfe\xfd" * 100), st.just(b"username=" + b"a" * 1_200_000))
content_types = st.sampled_from(["application/x-www-form-urlencoded", "multipart/form-data; boundary=zz",
                                 "multipart/form-data", "application/json", "text/plain", "application/x-www-form-urlencoded; charset=latin-1",
                                 "", "application/x-www-form-urlencoded; charset=utf-16"])


def _post_body(fields_or_bytes, content_type):
    if isinstance(fields_or_bytes, dict):
        encoded = {k: v.encode("utf8", "surrogatepass") for k, v in fields_or_bytes.items()}
        return {"data": encoded}
    return {"data": fields_or_bytes, "headers": {"Content-Type": content_type}}


@fuzz_settings(2)
@given(area=st.sampled_from(["agent", "owner"]), body=bodies, content_type=content_types,
       real_token=st.booleans())
def test_the_login_forms_answer_every_post_without_a_server_error(fuzz_console, area, body, content_type, real_token):
    client = requests.Session()
    page = client.get(f"{fuzz_console.url}/{area}/login", timeout=ACK_SECONDS).text
    if real_token and isinstance(body, dict):
        body = {**body, "csrf_token": re.search(r'name="csrf_token" value="([^"]+)"', page).group(1)}
        body.setdefault("username", "fuzz-" + area)  # never the real accounts: their throttle stays clean
        if body["username"].strip() in ("agent", "owner"):
            body["username"] = "x" + body["username"]
    resp = _send(fuzz_console.figures, SURFACE_LOGIN, client, "POST", f"{fuzz_console.url}/{area}/login",
                 **_post_body(body, content_type))
    assert resp.status_code in (200, 303, 400, 401, 403, 413, 429), resp.status_code


def _mutated(fields: dict, changes: dict, drop: list) -> dict:
    out = {k: v for k, v in fields.items() if k not in drop}
    for name, value in changes.items():
        out[name if name in fields or not fields else name] = value
    return out


@fuzz_settings(2)
@given(data=st.data(), session=st.sampled_from(["agent", "owner", "shopper", "none"]), keep_token=st.booleans(),
       action=st.sampled_from(["reply", "close"]))
def test_the_agent_forms_answer_hostile_posts_without_a_server_error(fuzz_console, ticket_id, data, session, keep_token,
                                                                     action):
    url = fuzz_console.url
    forms = {f[1].rsplit("/", 1)[-1]: f for f in forms_of(fuzz_console.agent, f"{url}/agent/tickets/{ticket_id}")}
    # A closed ticket shows no reply or close form any more: post what the form held.
    token = next((f[2].get("csrf_token") for f in forms.values() if f[2].get("csrf_token")), "")
    method, target, fields = forms.get(action) or (
        "post", f"/agent/tickets/{ticket_id}/{action}", {"csrf_token": token, **({"text": "好的"} if action == "reply" else {})})
    names = ["csrf_token", "text", "extra"]  # fixed, not the page's: a closed ticket's page has fewer forms
    changes = data.draw(st.dictionaries(st.sampled_from(names), hostile_text, max_size=3))
    drop = data.draw(st.lists(st.sampled_from(names), max_size=2))
    body = _mutated(fields, changes, drop)
    if not keep_token:
        body["csrf_token"] = data.draw(hostile_text)
    path = data.draw(st.one_of(st.just(target), ids.map(lambda i: f"/agent/tickets/{quote(i, safe='')}/{action}")))
    client = {"agent": fuzz_console.agent, "owner": fuzz_console.owner, "shopper": requests.Session(),
              "none": requests.Session()}[session]
    resp = _send(fuzz_console.figures, SURFACE_AGENT, client, "POST", url + path,
                 data={k: v.encode("utf8", "surrogatepass") for k, v in body.items()})
    if session != "agent":
        assert resp.status_code in (302, 303, 401, 403, 404, 405), resp.status_code


@fuzz_settings(3)
@given(data=st.data(), session=st.sampled_from(["owner", "owner", "agent", "none"]), keep_token=st.booleans())
def test_the_owner_forms_answer_hostile_posts_without_a_server_error(fuzz_console, owner_forms, data, session,
                                                                     keep_token):
    assert owner_forms, "the owner's pages show forms"
    page, (method, target, fields) = data.draw(st.sampled_from(owner_forms))
    names = sorted(fields) or ["value"]
    changes = data.draw(st.dictionaries(st.sampled_from(names + ["extra"]), hostile_text, max_size=4))
    drop = data.draw(st.lists(st.sampled_from(names), max_size=2))
    body = _mutated(fields, changes, drop)
    # the form's own token; the page is read again first, as the owner's browser would
    fresh = {f[1]: f[2] for f in forms_of(fuzz_console.owner, fuzz_console.url + page)}
    if keep_token and target in fresh and "csrf_token" in fresh[target]:
        body["csrf_token"] = fresh[target]["csrf_token"]
    elif not keep_token:
        body["csrf_token"] = data.draw(hostile_text)
    client = {"owner": fuzz_console.owner, "agent": fuzz_console.agent, "none": requests.Session()}[session]
    kind = data.draw(st.sampled_from(["form", "form", "multipart", "bad_utf8", "huge", "json"]))
    if kind == "form":
        kwargs = {"data": {k: v.encode("utf8", "surrogatepass") for k, v in body.items()}}
    elif kind == "multipart":
        kwargs = {"files": {k: (None, v.encode("utf8", "surrogatepass")) for k, v in body.items()}}
    elif kind == "bad_utf8":
        kwargs = {"data": "&".join(f"{quote(k)}=%ff%fe{quote(v.encode('utf8', 'surrogatepass'))}" for k, v in body.items()),
                  "headers": {"Content-Type": "application/x-www-form-urlencoded"}}
    elif kind == "huge":
        kwargs = {"data": {**body, "text": "运" * 400_000}}
    else:
        kwargs = {"json": body}
    resp = _send(fuzz_console.figures, SURFACE_OWNER, client, "POST", fuzz_console.url + target, **kwargs)
    if session != "owner":
        assert resp.status_code in (302, 303, 401, 403, 404, 405, 413), resp.status_code


@fuzz_settings(2)
@given(template=st.sampled_from(["/agent/tickets/{}", "/owner/conversations/{}", "/owner/answers/{}",
                                 "/owner/models/promote/{}", "/owner/training/files/{}/x.png",
                                 "/owner/training?candidate={}", "/owner/settings/history/{}/restore",
                                 "/owner/answers/history/{}/restore", "/static/{}", "/{}"]),
       value=st.one_of(ids, hostile_text), method=st.sampled_from(["GET", "POST", "HEAD", "PUT", "DELETE"]),
       session=st.sampled_from(["owner", "agent", "none"]))
# Found by this test: an id past SQL's integer overflowed in the database (500), not "not found".
@example(template="/agent/tickets/{}", value="9223372036854775808", method="GET", session="agent")
@example(template="/owner/settings/history/{}/restore", value="9223372036854775808", method="POST", session="owner")
def test_paths_with_hostile_segments_answer_without_a_server_error(fuzz_console, template, value, method, session):
    client = {"owner": fuzz_console.owner, "agent": fuzz_console.agent, "none": requests.Session()}[session]
    path = template.format(quote(value.encode("utf8", "surrogatepass"), safe=""))
    _send(fuzz_console.figures, SURFACE_PATHS, client, method, fuzz_console.url + path)


def test_the_retrain_button_is_refused_without_a_valid_token(fuzz_console):
    for token in ("", "forged", "a" * 5000):
        resp = _send(fuzz_console.figures, SURFACE_OWNER, fuzz_console.owner, "POST",
                     fuzz_console.url + "/owner/training/retrain", data={"csrf_token": token})
        assert resp.status_code in (400, 403), resp.status_code


def test_the_console_is_healthy_after_the_http_fuzzing(fuzz_console):
    fuzz_console.assert_healthy("the HTTP fuzzing")

"""A learning platform (what Moodle does in LTI 1.3), simulated for the tests: no network.

It has its own RSA key, generated here, and serves from a local HTTP server on a free port
what a real platform serves: its public keys (JWKS), the OAuth2 token endpoint (which checks
the tool's signed client assertion against the tool's published JWKS) and line items' score
endpoints (which record each score and can be told to fail first).  It signs id_tokens for
launches the way a platform does, and walks the site's OIDC login like a browser would.
"""

from __future__ import annotations

import json
import threading
import time
import uuid
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qs, urlsplit

import jwt
from cryptography.hazmat.primitives.asymmetric import rsa
from jwt.algorithms import RSAAlgorithm

ISSUER = "https://moodle.school.example"
CLIENT_ID = "quizsite-client-1"
DEPLOYMENT_ID = "1"
KID = "platform-key-1"
LTI = "https://purl.imsglobal.org/spec/lti/claim/"
AGS = "https://purl.imsglobal.org/spec/lti-ags/claim/endpoint"
DL_SETTINGS = "https://purl.imsglobal.org/spec/lti-dl/claim/deep_linking_settings"
LEARNER = "http://purl.imsglobal.org/vocab/lis/v2/membership#Learner"
INSTRUCTOR = "http://purl.imsglobal.org/vocab/lis/v2/membership#Instructor"
SCORE_SCOPE = "https://purl.imsglobal.org/spec/lti-ags/scope/score"
TOOL_JWKS_PATH = "/lti/jwks.json"


def new_key() -> rsa.RSAPrivateKey:
    return rsa.generate_private_key(public_exponent=65537, key_size=2048)


@dataclass
class Recorded:
    token_requests: list[dict[str, Any]] = field(default_factory=list)
    scores: list[dict[str, Any]] = field(default_factory=list)
    score_statuses: list[int] = field(default_factory=list)  # what the next score posts get


class Platform:
    """Start with `start()`; `url` is its base address, `tool_jwks` how it reads the tool's
    public keys (a callable, since the tool is the Django test client, not a server)."""

    def __init__(self, tool_jwks) -> None:
        self.key = new_key()
        self.tool_jwks = tool_jwks
        self.recorded = Recorded()
        self.access_token = "token-" + uuid.uuid4().hex
        self._server: ThreadingHTTPServer | None = None

    # --- the HTTP side ------------------------------------------------------------------------

    def start(self) -> Platform:
        platform = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, *args):  # quiet test output
                pass

            def _send(self, status: int, body: object) -> None:
                data = json.dumps(body).encode()
                self.send_response(status)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                self.wfile.write(data)

            def do_GET(self):
                if self.path == "/jwks":
                    return self._send(200, platform.jwks())
                return self._send(404, {"error": "not found"})

            def do_POST(self):
                body = self.rfile.read(int(self.headers.get("Content-Length", 0))).decode()
                if self.path == "/token":
                    return self._send(*platform.token(parse_qs(body)))
                if self.path.endswith("/scores"):
                    return self._send(*platform.score(self.path, self.headers, body))
                return self._send(404, {"error": "not found"})

        self._server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        threading.Thread(target=self._server.serve_forever, daemon=True).start()
        return self

    def stop(self) -> None:
        if self._server is not None:
            self._server.shutdown()
            self._server.server_close()

    @property
    def url(self) -> str:
        assert self._server is not None
        host, port = self._server.server_address[:2]
        return f"http://{host}:{port}"

    def lineitem_url(self, number: int = 1) -> str:
        return f"{self.url}/courses/7/lineitems/{number}/lineitem"

    def jwks(self) -> dict[str, Any]:
        public = json.loads(RSAAlgorithm.to_jwk(self.key.public_key()))
        return {"keys": [{**public, "kid": KID, "alg": "RS256", "use": "sig"}]}

    def token(self, form: dict[str, list[str]]) -> tuple[int, dict[str, Any]]:
        """OAuth2 client credentials with a JWT assertion, checked as a platform does."""
        assertion = form.get("client_assertion", [""])[0]
        header = jwt.get_unverified_header(assertion)
        keys = {k["kid"]: k for k in self.tool_jwks()["keys"]}
        try:
            claims = jwt.decode(
                assertion,
                RSAAlgorithm.from_jwk(json.dumps(keys[header["kid"]])),
                algorithms=["RS256"],
                audience=f"{self.url}/token",
                issuer=CLIENT_ID,
            )
        except (KeyError, jwt.InvalidTokenError) as error:
            return 401, {"error": "invalid_client", "detail": str(error)}
        self.recorded.token_requests.append({"claims": claims, "form": form})
        return 200, {"access_token": self.access_token, "token_type": "Bearer", "expires_in": 3600}

    def score(self, path: str, headers, body: str) -> tuple[int, dict[str, Any]]:
        if headers.get("Authorization") != f"Bearer {self.access_token}":
            return 401, {"error": "unauthorized"}
        status = self.recorded.score_statuses.pop(0) if self.recorded.score_statuses else 200
        self.recorded.scores.append(
            {
                "path": path,
                "status": status,
                "content_type": headers.get("Content-Type"),
                "body": json.loads(body),
            }
        )
        return status, {} if status == 200 else {"error": "server error"}

    # --- the launch side ----------------------------------------------------------------------

    def id_token(self, claims: dict[str, Any], *, key: rsa.RSAPrivateKey | None = None) -> str:
        return jwt.encode(claims, key or self.key, algorithm="RS256", headers={"kid": KID})

    def claims(
        self,
        *,
        nonce: str,
        sub: str,
        roles: list[str],
        custom: dict[str, str] | None = None,
        message_type: str = "LtiResourceLinkRequest",
        deployment_id: str = DEPLOYMENT_ID,
        issuer: str = ISSUER,
        lineitem: str | None = None,
        **extra: Any,
    ) -> dict[str, Any]:
        now = int(time.time())
        claims: dict[str, Any] = {
            "iss": issuer,
            "aud": CLIENT_ID,
            "sub": sub,
            "iat": now,
            "exp": now + 300,
            "nonce": nonce,
            "given_name": "Ana",
            "family_name": "Lima",
            "email": "shared@school.example",
            LTI + "message_type": message_type,
            LTI + "version": "1.3.0",
            LTI + "deployment_id": deployment_id,
            LTI + "target_link_uri": "http://testserver/lti/launch/",
            LTI + "roles": roles,
            LTI + "context": {"id": "course-7", "label": "DL101", "title": "Deep learning 101"},
        }
        if message_type == "LtiResourceLinkRequest":
            claims[LTI + "resource_link"] = {"id": "activity-3", "title": "Week 1 quiz"}
            claims[LTI + "custom"] = custom or {}
            if lineitem:
                claims[AGS] = {
                    "scope": [SCORE_SCOPE],
                    "lineitem": lineitem,
                    "lineitems": f"{self.url}/courses/7/lineitems",
                }
        else:
            claims[DL_SETTINGS] = {
                "deep_link_return_url": f"{self.url}/deep-link-return",
                "accept_types": ["ltiResourceLink"],
                "accept_presentation_document_targets": ["iframe", "window"],
                "data": "platform-opaque-data",
            }
        claims.update(extra)
        return claims


@dataclass
class LoginRedirect:
    state: str
    nonce: str
    params: dict[str, str]


def begin_login(
    client, *, issuer: str = ISSUER, login_hint: str = "hint", secure: bool = False
) -> LoginRedirect:
    """The platform's login initiation, as the browser follows it: the site answers with a
    redirect to the platform's authorisation URL carrying the state and nonce."""
    response = client.get(
        "/lti/login/",
        {
            "iss": issuer,
            "login_hint": login_hint,
            "target_link_uri": f"{'https' if secure else 'http'}://testserver/lti/launch/",
            "client_id": CLIENT_ID,
            "lti_deployment_id": DEPLOYMENT_ID,
        },
        secure=secure,
    )
    assert response.status_code == 302, response.content
    query = {k: v[0] for k, v in parse_qs(urlsplit(response["Location"]).query).items()}
    return LoginRedirect(state=query["state"], nonce=query["nonce"], params=query)

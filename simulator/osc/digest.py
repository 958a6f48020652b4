"""HTTP Digest authentication (MD5, qop=auth) as a THETA in client mode asks it."""

from __future__ import annotations

import hashlib
import hmac
import re
import secrets

from aiohttp import web

REALM = "RICOH THETA Simulator"
_DIGEST_PAIR = re.compile(r'(\w+)\s*=\s*(?:"((?:[^"\\]|\\.)*)"|([^\s,]+))')


def challenge(nonces: set[str]) -> web.Response:
    """A 401 answer with a fresh nonce (remembered in ``nonces``)."""
    nonce = secrets.token_hex(16)
    nonces.add(nonce)
    if len(nonces) > 256:
        nonces.pop()
    header = f'Digest realm="{REALM}", qop="auth", nonce="{nonce}", algorithm=MD5'
    return web.Response(
        status=401, text="Unauthorized", headers={"WWW-Authenticate": header}
    )


def digest_ok(request: web.Request, auth: tuple[str, str], nonces: set[str]) -> bool:
    """Whether the request carries a valid answer to one of ``nonces``."""
    header = request.headers.get("Authorization", "")
    scheme, _, rest = header.partition(" ")
    if scheme.lower() != "digest":
        return False
    fields = {
        m.group(1).lower(): m.group(2) if m.group(2) is not None else m.group(3)
        for m in _DIGEST_PAIR.finditer(rest)
    }
    user, password = auth
    if (
        fields.get("username") != user
        or fields.get("realm") != REALM
        or fields.get("nonce") not in nonces
        or fields.get("uri") != request.raw_path
        or fields.get("algorithm", "MD5").upper() != "MD5"
    ):
        return False

    def md5(text: str) -> str:
        return hashlib.md5(text.encode(), usedforsecurity=False).hexdigest()

    ha1 = md5(f"{user}:{REALM}:{password}")
    ha2 = md5(f"{request.method}:{fields['uri']}")
    if fields.get("qop") == "auth":
        expected = md5(
            f"{ha1}:{fields['nonce']}:{fields.get('nc', '')}:"
            f"{fields.get('cnonce', '')}:auth:{ha2}"
        )
    else:
        expected = md5(f"{ha1}:{fields['nonce']}:{ha2}")
    return hmac.compare_digest(expected, fields.get("response", ""))

"""Browsing Camera Bridge's Media browser over the websocket API, as the frontend does.

Shared by the backends' media tests; ``media_ws`` (tests/conftest.py) sends
the commands.
"""

from __future__ import annotations

from typing import Any

from custom_components.camera_bridge.const import DOMAIN
from tests.conftest import MediaWs

ROOT = f"media-source://{DOMAIN}"


def ids(folder: dict[str, Any]) -> list[str]:
    """The media ids of a folder's children."""
    return [child["media_content_id"] for child in folder["children"]]


def titles(folder: dict[str, Any]) -> list[str]:
    """The titles of a folder's children."""
    return [child["title"] for child in folder["children"]]


async def browse(ws: MediaWs, media_id: str) -> dict[str, Any]:
    """A folder; fails the test on an error answer."""
    answer = await ws("browse_media", media_id)
    assert answer["success"], answer
    result: dict[str, Any] = answer["result"]
    return result

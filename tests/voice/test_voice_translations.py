"""Every sentence the voice code can say is in translations/en.json."""

from __future__ import annotations

import json
from pathlib import Path
import re

import custom_components.camera_bridge as integration
from custom_components.camera_bridge.voice import Ability

_ROOT = Path(integration.__file__).parent
_EXCEPTIONS = json.loads((_ROOT / "translations" / "en.json").read_text())["exceptions"]
# VoiceRefused("key", …) and _said("key", …) name their keys as literals
_LITERAL = re.compile(r"""(?:VoiceRefused|_said)\(\s*"([a-z_]+)\"""")
# kinds a MediaRef is made with: the words quoted on its kind= lines
_KIND_LINE = re.compile(r"^\s*kind=(.*)$", re.MULTILINE)
_WORD = re.compile(r'"([a-z]+)"')


def _sources() -> str:
    return "\n".join(path.read_text() for path in sorted(_ROOT.rglob("*.py")))


def test_literal_keys_exist() -> None:
    """Keys named in the code are translated."""
    keys = set(_LITERAL.findall(_sources()))
    assert len(keys) >= 15
    assert sorted(k for k in keys if k not in _EXCEPTIONS) == []


def test_keys_made_from_abilities_and_kinds_exist() -> None:
    """voice_cannot_<ability> and voice_said_latest_<kind> are translated."""
    for ability in Ability:
        assert f"voice_cannot_{ability}" in _EXCEPTIONS, ability
    kinds = {
        word for line in _KIND_LINE.findall(_sources()) for word in _WORD.findall(line)
    }
    assert kinds == {"picture", "video", "recording", "snapshot"}
    for kind in kinds:
        assert f"voice_said_latest_{kind}" in _EXCEPTIONS, kind

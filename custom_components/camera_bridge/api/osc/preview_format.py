"""The sizes of an OSC camera's live preview (``previewFormat`` options)."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any, Self

from .values import opt_int


@dataclass(frozen=True, slots=True, order=True)
class PreviewFormat:
    """One size of the live preview (an entry of ``previewFormatSupport``)."""

    width: int
    height: int
    framerate: int

    @property
    def key(self) -> str:
        """How options name it: ``1024x512@30``."""
        return f"{self.width}x{self.height}@{self.framerate}"

    def as_option(self) -> dict[str, int]:
        """The value of the ``previewFormat`` option."""
        return {"width": self.width, "height": self.height, "framerate": self.framerate}

    @classmethod
    def from_option(cls, raw: Any) -> Self | None:
        """Read a ``previewFormat`` object; None when it is not one."""
        if not isinstance(raw, Mapping):
            return None
        width, height = opt_int(raw.get("width")), opt_int(raw.get("height"))
        # a framerate may be a fraction on some cameras: 0 when missing
        framerate = opt_int(raw.get("framerate")) or 0
        if not width or not height or width < 0 or height < 0 or framerate < 0:
            return None
        return cls(width, height, framerate)


@dataclass(frozen=True, slots=True)
class OscPreviewSupport:
    """What a camera says about its live preview.

    ``formats`` lists the sizes it offers (empty when it does not say, as a
    level 1 THETA may not), ``current`` the one it uses.
    """

    current: PreviewFormat | None
    formats: tuple[PreviewFormat, ...]

    @classmethod
    def from_options(cls, options: Mapping[str, Any]) -> OscPreviewSupport | None:
        """Read ``previewFormat`` / ``previewFormatSupport``; None: no preview."""
        raw = options.get("previewFormatSupport")
        formats = sorted(
            {
                found
                for entry in (raw if isinstance(raw, list) else ())
                if (found := PreviewFormat.from_option(entry)) is not None
            },
            reverse=True,
        )
        if not formats:
            return None
        return cls(
            PreviewFormat.from_option(options.get("previewFormat")), tuple(formats)
        )

    def find(self, key: str) -> PreviewFormat | None:
        """The offered format named ``key`` (``1024x512@30``), if any."""
        return next((f for f in self.formats if f.key == key), None)

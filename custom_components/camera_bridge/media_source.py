"""Media browser of Camera Bridge: one folder per config entry with media.

Identifiers are ``<entry id>`` or ``<entry id>/<backend path>``; the entry's
backend (its ``MediaProvider``) lists and resolves what is below.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from datetime import timedelta

from homeassistant.components.http.auth import async_sign_path
from homeassistant.components.media_player.const import MediaClass, MediaType
from homeassistant.components.media_player.errors import BrowseError
from homeassistant.components.media_source import (
    BrowseMediaSource,
    MediaSource,
    MediaSourceItem,
    PlayMedia,
    Unresolvable,
)
from homeassistant.config_entries import ConfigEntryState
from homeassistant.core import HomeAssistant

from .api import CameraBridgeError
from .backends import BACKENDS
from .const import CONF_KIND, DOMAIN
from .coordinator import CameraBridgeConfigEntry
from .media import MediaNode, MediaNotFound, MediaProvider

# how long a signed media view URL handed to a player stays valid
SIGNED_URL_VALIDITY = timedelta(hours=1)


async def async_get_media_source(hass: HomeAssistant) -> CameraBridgeMediaSource:
    """Camera Bridge's media source (its proxied files go through MediaProxyView)."""
    return CameraBridgeMediaSource(hass)


class CameraBridgeMediaSource(MediaSource):
    """Pictures, recordings and exports of every Camera Bridge entry."""

    name = "Camera Bridge"

    def __init__(self, hass: HomeAssistant) -> None:
        """Bind the source to Home Assistant."""
        super().__init__(DOMAIN)
        self.hass = hass

    def _entries(self) -> list[tuple[CameraBridgeConfigEntry, MediaProvider]]:
        found = []
        for entry in self.hass.config_entries.async_loaded_entries(DOMAIN):
            spec = BACKENDS.get(entry.data.get(CONF_KIND, ""))
            if spec is not None and spec.media is not None:
                found.append((entry, spec.media))
        return found

    def _lookup(
        self, identifier: str, error: type[BrowseError | Unresolvable]
    ) -> tuple[CameraBridgeConfigEntry, MediaProvider, str]:
        entry_id, _, path = identifier.partition("/")
        entry = self.hass.config_entries.async_get_entry(entry_id)
        spec = BACKENDS.get(entry.data.get(CONF_KIND, "")) if entry else None
        if entry is None or entry.domain != DOMAIN or spec is None or not spec.media:
            raise error(translation_domain=DOMAIN, translation_key="media_not_found")
        if entry.state is not ConfigEntryState.LOADED:
            raise error(
                translation_domain=DOMAIN,
                translation_key="entry_not_loaded",
                translation_placeholders={"title": entry.title},
            )
        return entry, spec.media, path

    async def async_browse_media(self, item: MediaSourceItem) -> BrowseMediaSource:
        """The entries, or a folder of one entry's media."""
        if not item.identifier:
            return self._root()
        entry, provider, path = self._lookup(item.identifier, BrowseError)
        with _media_errors(entry, BrowseError):
            node = await provider.async_browse(entry.runtime_data, path)
        return self._to_browse(entry, node, top=not path)

    async def async_resolve_media(self, item: MediaSourceItem) -> PlayMedia:
        """A fresh URL for one item (a signed view URL for proxied files)."""
        entry, provider, path = self._lookup(item.identifier, Unresolvable)
        with _media_errors(entry, Unresolvable):
            resolved = await provider.async_resolve(entry.runtime_data, path)
        url = resolved.url
        if resolved.proxied:
            url = async_sign_path(self.hass, url, SIGNED_URL_VALIDITY)
        return PlayMedia(url, resolved.mime_type)

    def _to_browse(
        self, entry: CameraBridgeConfigEntry, node: MediaNode, *, top: bool = False
    ) -> BrowseMediaSource:
        identifier = f"{entry.entry_id}/{node.path}" if node.path else entry.entry_id
        thumbnail = node.thumbnail
        if thumbnail is not None and thumbnail.startswith("/"):
            # a media view path: the browser loads it without a header
            thumbnail = async_sign_path(self.hass, thumbnail, SIGNED_URL_VALIDITY)
        return BrowseMediaSource(
            domain=DOMAIN,
            identifier=identifier,
            media_class=node.media_class,
            media_content_type=node.content_type,
            title=entry.title if top else node.title,
            can_play=node.can_play,
            can_expand=node.can_expand,
            thumbnail=thumbnail,
            children_media_class=node.children_media_class,
            children=(
                [self._to_browse(entry, child) for child in node.children]
                if node.children is not None
                else None
            ),
        )

    def _root(self) -> BrowseMediaSource:
        entries = sorted(self._entries(), key=lambda pair: pair[0].title.lower())
        return BrowseMediaSource(
            domain=DOMAIN,
            identifier=None,
            media_class=MediaClass.DIRECTORY,
            media_content_type=MediaType.APPS,
            title=self.name,
            can_play=False,
            can_expand=True,
            children_media_class=MediaClass.DIRECTORY,
            children=[
                BrowseMediaSource(
                    domain=DOMAIN,
                    identifier=entry.entry_id,
                    media_class=MediaClass.DIRECTORY,
                    media_content_type=MediaType.APPS,
                    title=entry.title,
                    can_play=False,
                    can_expand=True,
                )
                for entry, _ in entries
            ],
        )


@contextmanager
def _media_errors(
    entry: CameraBridgeConfigEntry, error: type[BrowseError | Unresolvable]
) -> Iterator[None]:
    """A provider's failures as the media source's translated error."""
    try:
        yield
    except MediaNotFound as err:
        raise error(
            translation_domain=DOMAIN, translation_key="media_not_found"
        ) from err
    except CameraBridgeError as err:
        raise error(
            translation_domain=DOMAIN,
            translation_key="media_unavailable",
            translation_placeholders={"title": entry.title, "error": str(err)},
        ) from err

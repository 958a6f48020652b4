"""Fake Open Spherical Camera (a RICOH THETA-like 360° camera).

Speaks API level 2 and, for older cameras, level 1 with sessions. A picture
stays ``inProgress`` for ``shot_seconds`` of wall-clock time, or for
``shot_polls`` status polls when that is set (tests use it to be exact and
fast), with a rising ``progress.completion``. Pictures are real JPEG files
and videos real H.264 MP4 clips, served at the URLs the camera answers (a
thumbnail with ``?type=thumb``) and listed, newest first and page by page, by
``camera.listFiles`` (level 1: ``camera.listImages`` with continuation
tokens), with base64 thumbnails when asked. ``archive_files`` puts thousands
of older files on the camera, made only when listed or fetched.

- ``server``: ``OscSimulator``, the camera over HTTP (endpoints, Digest);
- ``camera``: its state, knobs and what tests do to it;
- ``commands``, ``options``: what ``/osc/commands/execute`` runs;
- ``constants``: what it supports and RICOH's messages word for word;
- ``archive``: the files already on the camera, described by arithmetic;
- ``media``, ``digest``, ``cli``: pictures, authentication, command line.
"""

from .archive import ArchivedFile, FileArchive
from .camera import OscFault, SimCommand, SimFile
from .cli import add_arguments, build
from .constants import (
    CAPTURE_MODES,
    CAPTURE_MODES_V1,
    EV_SUPPORT,
    ISO_SUPPORT,
    LEVEL1_ONLY,
    LEVEL2_ONLY,
    PICTURE_BYTES_ESTIMATE,
    READ_ONLY_OPTIONS,
    RICOH_MESSAGES,
    TOTAL_SPACE,
    WHITE_BALANCE_SUPPORT,
)
from .digest import REALM
from .media import make_jpeg, make_mp4
from .server import OscSimulator

__all__ = [
    "CAPTURE_MODES",
    "CAPTURE_MODES_V1",
    "EV_SUPPORT",
    "ISO_SUPPORT",
    "LEVEL1_ONLY",
    "LEVEL2_ONLY",
    "PICTURE_BYTES_ESTIMATE",
    "READ_ONLY_OPTIONS",
    "REALM",
    "RICOH_MESSAGES",
    "TOTAL_SPACE",
    "WHITE_BALANCE_SUPPORT",
    "ArchivedFile",
    "FileArchive",
    "OscFault",
    "OscSimulator",
    "SimCommand",
    "SimFile",
    "add_arguments",
    "build",
    "make_jpeg",
    "make_mp4",
]

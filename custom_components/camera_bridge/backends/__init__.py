"""Registry of the backend kinds Camera Bridge supports."""

from __future__ import annotations

from .base import BackendSpec
from .linkvisual import SPEC as LINKVISUAL_SPEC
from .osc import SPEC as OSC_SPEC
from .vdg_sense import SPEC as VDG_SENSE_SPEC
from .wcs import SPEC as WCS_SPEC

BACKENDS: dict[str, BackendSpec] = {
    spec.kind: spec for spec in (WCS_SPEC, LINKVISUAL_SPEC, OSC_SPEC, VDG_SENSE_SPEC)
}

"""Where a LinkVisual account's calls go: the region's host or a custom endpoint."""

from __future__ import annotations

from yarl import URL

from .._http import origin
from .errors import LinkVisualValidationError

DEFAULT_REGION = "cn-shanghai"


def endpoint_for_region(region: str) -> str:
    """The default endpoint of a region, e.g. ``https://linkvisual.cn-shanghai.aliyuncs.com``."""
    region = region.strip().lower()
    if not region or not all(c.isalnum() or c == "-" for c in region):
        raise LinkVisualValidationError("region", "the region is not a region id")
    return f"https://linkvisual.{region}.aliyuncs.com"


def normalize_endpoint(endpoint: str) -> str:
    """Return ``scheme://host[:port]`` for an endpoint URL or bare host name.

    A bare host gets ``https://``. RPC calls always go to ``/``: a path,
    query or fragment is refused, as is anything that is not http(s).
    """
    text = endpoint.strip()
    if "://" not in text:
        text = f"https://{text}"
    try:
        url = URL(text)
        _ = url.explicit_port  # yarl raises ValueError for a bad port here
    except ValueError as err:
        raise LinkVisualValidationError(
            "endpoint", "the endpoint is not a URL"
        ) from err
    if url.scheme not in ("http", "https") or not url.host:
        raise LinkVisualValidationError(
            "endpoint", "the endpoint is not an http(s) URL with a host"
        )
    if url.path not in ("", "/") or url.query_string or url.fragment or url.user:
        raise LinkVisualValidationError(
            "endpoint", "the endpoint must be a bare scheme://host[:port]"
        )
    return origin(url)

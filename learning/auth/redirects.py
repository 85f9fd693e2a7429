"""A `next` parameter may only send people to a page of this site."""
from __future__ import annotations

from urllib.parse import urlsplit


def safe_next(target: str | None, default: str) -> str:
    if not target:
        return default
    target = target.strip()
    parts = urlsplit(target)
    # Only a path on this host: no scheme, no host, no protocol-relative "//evil",
    # no backslash tricks that some browsers read as "//".
    if parts.scheme or parts.netloc or not target.startswith("/") or target.startswith("//") or "\\" in target:
        return default
    return target

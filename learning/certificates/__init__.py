"""Certificates: a printable page per completion, My certificates and the download of
them all, public verification at /verify/<code>, and revoking (coordinators)."""

"""Reading the manifest and the declaration of its columns."""

from .read import Manifest, read_manifest

__all__ = ["Manifest", "read_manifest"]

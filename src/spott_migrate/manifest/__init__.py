"""Reading the manifest and the declaration of its columns."""

from .read import Manifest, read_header, read_manifest, sheet_names

__all__ = ["Manifest", "read_header", "read_manifest", "sheet_names"]

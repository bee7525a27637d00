"""Write run results into the user's own manifest (``.xlsx`` or ``.csv``), and read them back.

``.xlsx``: only the chosen sheet's XML is edited, in place inside the zip; every other part
(other sheets, styles, images, charts, macros) is carried over unchanged. ``.csv``: the file's
encoding, delimiter, quoting and line ends are kept. Both are replaced atomically, after a
one-time backup of the original.
"""

from ..manifest.csvformat import csv_delimiter
from ._api import check_writable, read_results, write_results
from ._columns import RESULT_COLUMNS
from ._table import ResultTable

__all__ = [
    "RESULT_COLUMNS",
    "ResultTable",
    "check_writable",
    "csv_delimiter",
    "read_results",
    "write_results",
]

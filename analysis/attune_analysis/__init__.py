"""attune_analysis: tidy tables, figures, reports and sensitivity indices over attune's HDF5 files.

Run from the repository root as ``PYTHONPATH=analysis /usr/bin/python3 -m attune_analysis ...``;
see analysis/README.md. The modules:

- :mod:`attune_analysis.load`: open a file (checking ``schema_version``) and read its tables as
  pandas DataFrames;
- :mod:`attune_analysis.figures`: one function per figure, each returning a matplotlib Figure;
- :mod:`attune_analysis.sensitivity`: Sobol indices (Saltelli design) and Morris screening;
- :mod:`attune_analysis.report`: the self-contained HTML report.
"""

from .errors import AnalysisError, SchemaError
from .palette import CLASS_COLORS, CLASS_NAMES, CLASS_ORDER

__all__ = ["AnalysisError", "SchemaError", "CLASS_COLORS", "CLASS_NAMES", "CLASS_ORDER"]
__version__ = "0.1.0"

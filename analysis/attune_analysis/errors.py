"""The package's error types: one base class, so that the command line can report them cleanly."""


class AnalysisError(Exception):
    """A problem with the input (a file, a dataset, a factor or field name), stated for the user."""


class SchemaError(AnalysisError):
    """A file whose ``schema_version`` this package does not read, or not an attune file."""

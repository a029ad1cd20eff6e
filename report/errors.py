"""The one error type the report raises for bad input: printed as one line, exit 2."""


class InputError(Exception):
    """A results folder or file the report cannot use; the message names it."""

"""The base of errors caused by input (params, data, site settings), not by bugs.

The CLI prints these as one clear message and exits non-zero instead of a traceback.
"""


class UserError(Exception):
    """Bad input: the message names the file, key or value and what was expected."""

"""Edits of a Python file that change its code (a statement, a docstring): what the
code fingerprints (gdlab.codedeps) must see, unlike formatting and comments."""


def append_statement(text: str) -> str:
    return text + "\nEDITED_BY_TEST = True\n"


def edit_docstring(text: str) -> str:
    return text.replace('"""', '"""Edited. ', 1)

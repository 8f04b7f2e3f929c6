"""What both parsers share: the row they yield, the row error, the file error."""

from core.exceptions import ValidationError
from post_reviews.services.posts import PostInput

Row = tuple[int, PostInput | None, int | str]
MAX_TEXT = 131_072  # characters in one CSV field or one tweet's text: csv's own default field limit


class RowError(Exception):
    """A record that can't be imported: it becomes a bad row with this reason."""


def file_error(message: str) -> ValidationError:
    """The whole file can't be read: the run fails with this message."""
    return ValidationError({"file": message})

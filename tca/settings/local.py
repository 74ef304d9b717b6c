"""The embedded default: runs with nothing installed (SQLite, in-process tasks)."""

from .base import *

DEBUG = env.bool("DEBUG", default=True)

"""Errors a user can act on: each names what is wrong, where, and how to fix it."""


class UserFacingError(Exception):
    """An error whose message is shown as-is on screen and on the command line."""


class DataMissingError(UserFacingError):
    pass


class SnapshotError(UserFacingError):
    pass


class RegionError(UserFacingError):
    pass

"""What differs between the Python versions kaiji supports (3.10 and later)."""

try:
    import tomllib  # Python 3.11+
except ModuleNotFoundError:  # Python 3.10: the same parser, published as tomli
    import tomli as tomllib  # type: ignore[no-redef]

__all__ = ["tomllib"]

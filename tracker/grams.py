"""The tokens of the search index of short words (search_fts_grams, migration 0009), in a module of its own that
imports nothing: SQLite's triggers call grams() as kaiji_grams() on every connection that writes the index (db.py
registers it; so does bench/import_floor.py, the import's floor, without importing the rest of kaiji)."""


def hex_token(ch: str) -> str:
    """A character as six hex digits: the unit of a token."""
    return "%06x" % ord(ch)


def grams(folded: str | None) -> str:
    """The tokens search_fts_grams indexes for a folded text (SQLite calls it as kaiji_grams() from the
    triggers that keep that table in step, db.py registering it on every connection): each pair of
    characters as one token of twelve hex digits, and the last character alone (six), so that a word of two
    characters is a token and a word of one character the prefix of one; each token once."""
    if not folded:
        return ""
    pairs = (hex_token(folded[i]) + (hex_token(folded[i + 1]) if i + 1 < len(folded) else "")
             for i in range(len(folded)))
    return " ".join(dict.fromkeys(pairs))

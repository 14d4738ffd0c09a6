"""Search keys for names. PostgreSQL's unaccent extension is not available everywhere we run, so the
key is computed in Python and stored beside the name."""

import re
import unicodedata


def cle_recherche(texte):
    """« Élodie Lefèvre-Martin » → « elodie lefevre martin »."""
    sans_accents = unicodedata.normalize("NFKD", texte or "").encode("ascii", "ignore").decode("ascii")
    return re.sub(r"[^a-z0-9]+", " ", sans_accents.lower()).strip()

import unicodedata


def normalise(text: str) -> str:
    """Lower-case, accents and punctuation folded: "Île-des-Pins" -> "ile des pins"."""
    decomposed = unicodedata.normalize("NFKD", text or "")
    stripped = "".join(c for c in decomposed if not unicodedata.combining(c))
    cleaned = "".join(c if c.isalnum() else " " for c in stripped.lower())
    return " ".join(cleaned.split())

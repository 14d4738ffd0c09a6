"""A minimal RFC 5545 calendar of planned rendez-vous: CRLF line ends, escaped text, lines folded at
75 octets. Plain text is enough for VEVENTs and spares a dependency."""

import datetime

from django.utils import timezone

PRODID = "-//Accompagnement social//Rendez-vous//FR"


def echapper(texte):
    return (
        (texte or "")
        .replace("\\", "\\\\")
        .replace(";", "\\;")
        .replace(",", "\\,")
        .replace("\r\n", "\\n")
        .replace("\n", "\\n")
    )


def plier(ligne):
    """Fold a content line at 75 octets, never inside a UTF-8 character."""
    octets = ligne.encode("utf-8")
    if len(octets) <= 75:
        return ligne
    morceaux, courant = [], b""
    for caractere in ligne:
        code = caractere.encode("utf-8")
        limite = 75 if not morceaux else 74  # continuation lines start with a space
        if len(courant) + len(code) > limite:
            morceaux.append(courant.decode("utf-8"))
            courant = b""
        courant += code
    morceaux.append(courant.decode("utf-8"))
    return "\r\n ".join(morceaux)


def _utc(dt):
    return dt.astimezone(datetime.UTC).strftime("%Y%m%dT%H%M%SZ")


def resume(entretien):
    """What the calendar shows: the kind and the person's first name and initial, no notes."""
    personne = entretien.accompagnement.resident
    initiale = f" {personne.nom[:1]}." if personne.nom else ""
    return f"{entretien.get_type_display().capitalize()} – {personne.prenom}{initiale}"


def calendrier(rendez_vous, *, hote):
    maintenant = _utc(timezone.now())
    lignes = ["BEGIN:VCALENDAR", "VERSION:2.0", f"PRODID:{PRODID}", "CALSCALE:GREGORIAN", "X-WR-CALNAME:Rendez-vous"]
    for rdv in rendez_vous:
        fin = rdv.date_heure + datetime.timedelta(minutes=rdv.duree_minutes or 60)
        lignes += [
            "BEGIN:VEVENT",
            f"UID:rdv-{rdv.pk}@{hote}",
            f"DTSTAMP:{maintenant}",
            f"DTSTART:{_utc(rdv.date_heure)}",
            f"DTEND:{_utc(fin)}",
            f"SUMMARY:{echapper(resume(rdv))}",
        ]
        if rdv.lieu:
            lignes.append(f"LOCATION:{echapper(rdv.lieu)}")
        lignes.append("END:VEVENT")
    lignes.append("END:VCALENDAR")
    return "".join(plier(ligne) + "\r\n" for ligne in lignes)

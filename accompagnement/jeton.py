"""The one once-only save, for every create form: the form carries a fresh `jeton` (forms.JetonMixin, or
a hidden field of a one-button form), the row it creates stores it under a unique constraint, and the
same form sent twice, even by two requests racing, saves one row: the second submit gets that row back.

`enregistrer_une_fois` is the whole of it. A service whose hot path validates in its own way (the
entretien) uses its two halves: `deja_saisi` first, `sauver_une_fois` last."""

from django.db import IntegrityError, models, transaction


def champ_jeton():
    """The field of a model created by a form: unique, so that the second insert of a jeton is refused."""
    return models.UUIDField("jeton de saisie", null=True, blank=True, unique=True, editable=False)


def deja_saisi(model, jeton):
    """The row that `jeton` already saved, or None (always None without a jeton)."""
    return model.objects.filter(jeton=jeton).first() if jeton else None


def sauver_une_fois(instance):
    """Insert `instance` in a savepoint: (instance, True), or (the row its jeton saved meanwhile, False)
    when another request inserted it first (the unique jeton refuses the second row)."""
    try:
        with transaction.atomic():
            instance.save()
    except IntegrityError:
        existant = deja_saisi(type(instance), instance.jeton)
        if existant is None:
            raise
        return existant, False
    return instance, True


def enregistrer_une_fois(instance, exclure=None):
    """Save a new row carrying a form's `jeton`: (row, True), or (the row that jeton already saved, False).
    `exclure`: fields the model's save() fills in, not validated before."""
    existant = deja_saisi(type(instance), instance.jeton)
    if existant is not None:
        return existant, False
    instance.full_clean(exclude=exclure, validate_unique=False)
    return sauver_une_fois(instance)

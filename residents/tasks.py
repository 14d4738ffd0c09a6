from celery import shared_task

from config.celery import attente_avant_essai

from . import retention, services_import


@shared_task(ignore_result=True)
def appliquer_retention():
    """Daily: anonymise the files past CONSERVATION_DOSSIER (the manager read the dry run on screen)."""
    return retention.appliquer()


# The import of the Département's file (residents.services_import): thin wrappers, safe to run twice
# (the import is claimed by compare-and-set).


@shared_task(name="residents.tasks.analyser_import", bind=True, acks_late=True, max_retries=services_import.ESSAIS)
def analyser_import(self, import_id):
    try:
        services_import.analyser(import_id)
    except services_import.ConnexionPerdue as exc:
        raise self.retry(exc=exc, countdown=attente_avant_essai(self.request.retries, 10)) from exc


@shared_task(name="residents.tasks.appliquer_import", bind=True, acks_late=True, max_retries=services_import.ESSAIS)
def appliquer_import(self, import_id):
    try:
        services_import.appliquer(import_id)
    except services_import.ConnexionPerdue as exc:
        raise self.retry(exc=exc, countdown=attente_avant_essai(self.request.retries, 10)) from exc


@shared_task(name="residents.tasks.relancer_imports")
def relancer_imports():
    return services_import.relancer()

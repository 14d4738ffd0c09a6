import datetime
import zoneinfo

import pytest
import time_machine

PARIS = zoneinfo.ZoneInfo("Europe/Paris")


def a_paris(jour, heure=10):
    """An aware datetime on a local day (entretiens are stored in UTC)."""
    return datetime.datetime.combine(jour, datetime.time(heure), tzinfo=PARIS)


@pytest.fixture
def voyager():
    """Freeze the clock on a day (time-machine) and return that day, to call the engine « today »."""
    travellers = []

    def _voyager(jour):
        if travellers:
            travellers.pop().stop()
        traveller = time_machine.travel(a_paris(jour, 9), tick=False)
        traveller.start()
        travellers.append(traveller)
        return jour

    yield _voyager
    for traveller in travellers:
        traveller.stop()

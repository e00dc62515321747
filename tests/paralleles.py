"""Real parallel transactions: threads released together, each with its own connection (the
tests that ask for `demo_hors_transaction`, on PostgreSQL)."""

import threading

from django.db import connection


def en_meme_temps(nombre, action):
    """Run `action(i)` in `nombre` threads released together; return results and errors."""
    depart = threading.Barrier(nombre)
    resultats, erreurs = [], []

    def executer(i):
        try:
            depart.wait()
            resultats.append(action(i))
        except Exception as erreur:  # noqa: BLE001 -- returned to the test
            erreurs.append(erreur)
        finally:
            connection.close()  # each thread has its own connection; free it for teardown

    fils = [threading.Thread(target=executer, args=(i,)) for i in range(nombre)]
    for fil in fils:
        fil.start()
    for fil in fils:
        fil.join()
    return resultats, erreurs

"""Inserting the many new records of an import. On PostgreSQL, their primary keys are drawn from
the table's sequence in one query and the rows sent by COPY: `bulk_create` compiles an INSERT
whose every value Django prepares and psycopg quotes, which cost the import most of its time
(10 000 rows: some 80 000 records). Elsewhere (SQLite), `bulk_create`."""

from django.db import connection

# Records inserted by one statement at most (bulk_create's batches; COPY streams them).
LOT = 1000

# Fields whose value only Django turns into what the database stores.
PREPARES_PAR_DJANGO = {"JSONField"}


def inserer(modele, objets) -> list:
    """Insert the unsaved instances `objets` of `modele`, as `bulk_create` does: their primary
    keys are set, a related record assigned before it was saved is linked by its key, the
    automatic dates are filled, and they are saved instances afterwards."""
    objets = list(objets)
    if not objets:
        return objets
    if connection.vendor != "postgresql":
        return modele.objects.bulk_create(objets, batch_size=LOT)
    meta = modele._meta
    champs = [champ for champ in meta.concrete_fields if not champ.primary_key]
    # How each value is read: the automatic dates by their field (pre_save), the values only
    # Django can turn into the stored form by it too, the others as they are.
    lectures = [
        (
            champ.attname,
            getattr(champ, "auto_now", False) or getattr(champ, "auto_now_add", False),
            champ.get_internal_type() in PREPARES_PAR_DJANGO,
            champ,
        )
        for champ in champs
    ]
    # A related record assigned before it was saved (a commission created with its
    # decisions): its key, known now, is copied, as bulk_create does.
    relations = [champ for champ in champs if champ.many_to_one]
    nom = connection.ops.quote_name
    with connection.cursor() as curseur:
        curseur.execute(
            "SELECT nextval(pg_get_serial_sequence(%s, %s)) FROM generate_series(1, %s)",
            [meta.db_table, meta.pk.column, len(objets)],
        )
        for objet, (cle,) in zip(objets, curseur.fetchall(), strict=True):
            objet.pk = cle
        colonnes = ", ".join(nom(champ.column) for champ in [meta.pk, *champs])
        with curseur.cursor.copy(f"COPY {nom(meta.db_table)} ({colonnes}) FROM STDIN") as copie:
            for objet in objets:
                for champ in relations:
                    if getattr(objet, champ.attname) is None and champ.is_cached(objet):
                        lie = champ.get_cached_value(objet)
                        if lie is not None:
                            setattr(objet, champ.attname, lie.pk)
                valeurs = [objet.pk]
                for attname, automatique, prepare, champ in lectures:
                    valeur = champ.pre_save(objet, True) if automatique else getattr(objet, attname)
                    if prepare:
                        valeur = champ.get_db_prep_save(valeur, connection)
                    valeurs.append(valeur)
                copie.write_row(valeurs)
    for objet in objets:
        objet._state.adding = False
        objet._state.db = connection.alias
    return objets

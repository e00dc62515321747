"""Long work in the background (issue 17): a `Travail` is one job a user started (an import's
check or confirmation, an export, a file of indicators), run by a django-tasks worker, with its
progress, its French message if it failed, and its result kept in the database (a file's bytes,
or a report), so that several workers on several machines share nothing but the database.

The apps that start jobs call `travaux.taches.lancer()` with a function marked
`@travail_de_fond`; `travaux` imports none of them (it sits upstream, beside `documents`)."""

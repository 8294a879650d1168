"""Favourites and saved searches with e-mail alerts (« Mes favoris »).

A logged-in professional stars services and saves searches (the query string of /recherche,
with a name and a frequency). `dora alertes envoyer` e-mails, once per day or per week and per
saved search, the services newly published or updated since the previous alert that match the
search — matched by the search layer's own SQL (`dora.search.query.matching_documents`), so an
alert never disagrees with the results page. Every alert carries an unsubscribe link signed
with itsdangerous, which needs no login.
"""

from flask import Flask


def init_app(app: Flask) -> None:
    from dora.alerts import template_helpers

    # Used by templates/catalogue/service.html and templates/search/page.html (guarded by
    # `is defined`), as orientation does for its block.
    app.jinja_env.globals["favorite_button"] = template_helpers.favorite_button
    app.jinja_env.globals["save_search_block"] = template_helpers.save_search_block

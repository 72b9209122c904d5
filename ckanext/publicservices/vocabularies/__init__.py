"""Controlled vocabularies of ckanext-publicservices, loaded once and cached.

Vocabularies (names used by the API and helpers):

``lgsl``          Local Government Service List, ``http://id.esd.org.uk/service/{id}``
``lgfl``          Local Government Function List, ``http://id.esd.org.uk/function/{id}``
``council``       UK councils by current GSS code (former codes resolve to the current one)
``frequency``     EU frequency authority table (+ the UK ``financial-year``)
``data-theme``    EU data theme authority table
``access-right``  EU access right authority table (PUBLIC, RESTRICTED, NON_PUBLIC)
``file-type``     EU file type authority table

Every lookup is served from module-level caches: no database or network call per field or per
render. ``ckan publicservices vocab refresh`` writes newer lists into the directory named by
``ckanext.publicservices.vocabulary_dir``; :func:`clear_caches` makes the next call reload them.

Modules: ``model`` (terms, names, URIs), ``loaders`` (data files → terms), ``geometry`` (council
centre points), ``terms`` (cached vocabularies, terms by code or URI), ``hierarchy`` (services
under functions, themes), ``search`` (autocomplete), ``refresh`` (newer lists from their sources).
The data files and their licences are described in ``data/ATTRIBUTION.md``.
"""

from __future__ import annotations


def clear_caches() -> None:
    """Forget every loaded vocabulary (after ``vocab refresh``)."""
    from ckanext.publicservices.vocabularies import hierarchy, search, terms

    terms.get_vocabulary.cache_clear()
    search.clear_caches()
    hierarchy.clear_caches()

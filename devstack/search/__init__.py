"""A Solr-HTTP-compatible search service for local development and CI (never production).

Layers: `server` (HTTP façade) → `core` (Solr request semantics) → `query` (Lucene/dismax →
clause tree) and `schema`/`analysis` (CKAN's schema.xml) → `index` (evaluation) + `store`
(persistence). See README.md in this directory.
"""

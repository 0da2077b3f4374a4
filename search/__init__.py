"""Artist search: one interface (`base.ArtistSearch`), a PostgreSQL backend (embedded default) and an
OpenSearch backend (production), chosen by settings in `factory`."""

"""French territories for dora: régions, départements, EPCI, communes, arrondissements.

- `geodata.build` turns the upstream packages into the committed files of `geodata/data/`
  (run `python -m geodata.build`; provenance and licences in `data/SOURCES.json`);
- `geodata.load.load_all` loads those files into PostgreSQL/PostGIS;
- `geodata.resolve` answers look-ups against the database (commune by code or postal code,
  autocomplete, best point for a record without coordinates);
- `geodata.reference` reads the files directly, without a database;
- `geodata.text.normalise_name` is the one name normalisation used everywhere.

This package must not import Flask: the application wires it in.
"""

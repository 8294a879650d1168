"""Demo data at scale: plausible structures and services across France.

- `content`    the French wording: kinds of structures, service templates, names, hours;
- `generator`  deterministic generation, chunk by chunk, without a database;
- `writer`     COPY of the generated rows;
- `operations` `seed()` / `delete_demo()` (flush-only, the CLI commits);
- `queries`    what demo data is already there;
- `cli`        `dora demo seed --services N [--seed S] [--reset]`, `dora demo clear`;
- `bench`      seed throughput (`dora bench seed`).
"""

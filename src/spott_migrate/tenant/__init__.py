"""Knowing the tenant: a local index of Spott's records, checks against it, verify, doctor.

- :mod:`.index` (``spott-migrate index``) pages Spott's candidates, clients and vacancies
  into one SQLite file; :func:`open_index` opens it for the checks before a run;
- :mod:`.known` is the step validation takes with it (``check(..., known=index)``);
- :mod:`.verify` (``spott-migrate verify``) reconciles a run's rows against what Spott holds;
- :mod:`.doctor` (``spott-migrate doctor``) checks the first contact with a tenant and writes
  the profile (:mod:`.profile`) that ``run`` reads to choose safe behaviour.
"""

from __future__ import annotations

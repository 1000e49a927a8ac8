"""Other tools' files: GMCR+ ``.gmcr`` (``gmcrplus``), KTAB SMP ``.csv``
(``ktab``), and the YAML/JSON writer of cases (``writer``)."""

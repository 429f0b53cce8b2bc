"""Benchmarks: ``python -m bench [name ...]`` (docs/benchmarks.md).

Each module ``bench/<name>.py`` has a ``main()`` that measures its subject *and* a baseline
in the same run, prints both and returns a summary. They run against the development
database (``config.settings.base``, ``var/local.env``), never inside pytest.
"""

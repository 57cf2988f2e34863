"""What is built on the output of ``scrutiny batch``: the triage queue, the recommendation
tracker and the trends page.

The three commands read a batch output folder through one loader (``load.load_batch``);
the tables' columns are those of ``service.batch.tables``. They need the ``archive`` extra
(pyarrow, openpyxl, matplotlib), imported only when a command runs.
"""

"""Files as plain HTTP: binary fields, a record's attachments and report renderings.

One module per feature (``binary``, ``attachments``, ``reports``), sharing what a
download answers (``content``) and how an upload is read (``upload``). The HTTP
handlers live in ``routes/files.py``.
"""

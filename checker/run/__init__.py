"""A run over files: which files, each one judged without ever raising, in one process or several."""

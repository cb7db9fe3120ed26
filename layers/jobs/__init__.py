"""Jobs that write a workspace from several concerns at once: ``build`` (plans -> store, with the risk)."""

"""peermatch service: the command line (and, later, HTTP and persistence)
around the pure ``matcher`` core."""

"""Model families (see :mod:`aelab.models.registry`)."""

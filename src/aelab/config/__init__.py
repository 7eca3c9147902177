"""Typed params: the one schema that params.yaml must satisfy, one topic per module.

Every value the pipeline uses lives in params.yaml and is checked here before
any work starts. Unknown keys and repeated keys are rejected (a misspelled,
stale or doubled key must not pass silently), types are strict, and an error
names the file, the key path and what is allowed. Site settings (data mirror,
device, threads, precision) are deliberately *not* params: they live in
:mod:`aelab.site`, so moving a study to a GPU or another mirror never
invalidates its results.

Modules, each importing only those above it (no cycle, not even for type
checking): ``base`` -> ``noise``, ``datasets`` -> ``training``, ``models`` ->
``variants`` -> ``tasks`` -> ``params`` -> ``loading``.
Import names from their module: this package imports none of them, so a stage
that needs the dataset settings does not run (and depend on) the model schema.
"""

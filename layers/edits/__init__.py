"""Corrections by people who know the ground: move, add, delete and restore features and set their
attributes (:mod:`layers.edits.edit`), positions typed in any accepted form (:mod:`layers.edits.position`),
and the history of every change with undo and revert (:mod:`layers.edits.history`). The map page,
the page 变更记录 and ``python -m layers edit|history|undo`` all go through these functions."""

"""Long-running processes and Python's cyclic garbage collector.

A full collection walks every object the process holds: in the API process, after start-up, ~370,000 of them
(modules, routes, models, schemas), which took ~200 ms on this machine, during which no request is answered; in the
contract document process ~150,000 (fontTools, fpdf2, pyhanko): ~75 ms added to the document being rendered. Those
objects live as long as the process, so each server process moves them out of the collector's sight once started
(`gc.freeze`); a collection then walks only what was made since (~7 ms in the document process)."""

from __future__ import annotations

import gc


def freeze_startup() -> None:
    """Collect what start-up left as garbage, then keep everything still alive out of later collections."""
    gc.collect()
    gc.freeze()

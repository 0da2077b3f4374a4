"""Media cases (演出案例): an artist's past performances with images and videos, moderated before shown."""

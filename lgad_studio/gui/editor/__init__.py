"""The lane-label editor: canvas, lane items, drawing draft, undo, dataset browser, shortcuts."""

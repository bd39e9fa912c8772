"""Qt-free core: lanes, formats, data, models, training, metrics."""

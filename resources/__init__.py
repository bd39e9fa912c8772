"""LGAD Studio's data files, installed as the package ``lgad_studio.resources``.

``presets/*.json``: the default training presets (read by :mod:`lgad_studio.core.presets`,
for the Train tab and the CLI); ``icons/``: the application icon (SVG and PNG sizes);
``lgad-studio.desktop``: the desktop entry. The folder sits at the top of the
repository (the design card's layout) and is mapped into the package by ``setup.py``.
"""

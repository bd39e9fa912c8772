"""The Qt application: a thin layer over lgad_studio.core."""

"""Package layout that pyproject.toml cannot express: the top-level ``resources/`` folder is
installed as the package ``lgad_studio.resources`` (metadata lives in pyproject.toml)."""

from setuptools import find_packages, setup

setup(
    packages=[*find_packages(include=["lgad_studio", "lgad_studio.*"]), "lgad_studio.resources"],
    package_dir={"lgad_studio.resources": "resources"},
    package_data={
        "lgad_studio.resources": ["presets/*.json", "icons/*.svg", "icons/*.png", "*.desktop"]
    },
)

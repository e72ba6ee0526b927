"""Maps `saved_models/` (the presets, at the top of the repository) into the
installed package as `wgan_keras/saved_models/`; everything else is in
pyproject.toml. pyproject.toml alone cannot add a package that lives outside
the package folder to the ones `packages.find` discovers."""

from setuptools import find_packages, setup

setup(
    packages=find_packages(include=["wgan_keras*"]) + ["wgan_keras.saved_models"],
    package_dir={"wgan_keras.saved_models": "saved_models"},
    package_data={"wgan_keras.saved_models": ["*/*"]},
)

"""LGAD Studio: label lanes, train a label-map teacher, distill students, evaluate."""

__version__ = "0.1.0"

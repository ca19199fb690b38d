"""Rasa NLU components of our own, named in config.yml by their module path."""
from .lean_diet import LeanDIETClassifier
from .order_numbers import OrderNumberExtractor
from .tokenizer import ShopperTextTokenizer

__all__ = ["LeanDIETClassifier", "OrderNumberExtractor", "ShopperTextTokenizer"]

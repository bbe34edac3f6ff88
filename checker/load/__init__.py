"""The first stage: any input to a Template whose every key keeps its line and column, or a LoadError (TPL001).

The later stages import what they need from here. Inside the package, modules import from the module
that defines a name: template (the types), decoding, yaml_builder and document (text to marked data),
shape (is it a template?), markdown and answer (a template in a Markdown answer), readers (the kinds
of input, tried in order, and load_file/load_text).
"""

from __future__ import annotations

from checker.load.decoding import MAX_BYTES
from checker.load.readers import load_file, load_text
from checker.load.template import LoadError, Mark, Template, getatt_target

__all__ = ["MAX_BYTES", "LoadError", "Mark", "Template", "getatt_target", "load_file", "load_text"]

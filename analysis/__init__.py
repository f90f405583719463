"""dupitac: rebuild two real-world dupilumab + topical tacrolimus studies from patient data.

Layers, each importing only the ones before it::

    io -> schema -> derive -> stats -> studies -> results -> targets/audit -> reconstruct -> report -> render -> cli
"""

__version__ = "0.1.0"

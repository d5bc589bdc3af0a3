"""mock-interview: practise an executive interview with an AI CEO or board member, then get scored.

Importing the package needs no key and no network; heavy libraries load only on the paths that use them.
"""

__version__ = "0.1.0"

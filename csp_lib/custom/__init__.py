"""Sections that analysts add with ``csp new-section``: one module each."""

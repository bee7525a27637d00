"""The panel's sections, one widget group each; :mod:`..panel` wires them to a session."""

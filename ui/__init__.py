"""Streamlit helpers shared by the pages: session state, the sidebar, the map, number formats.

Layout and widgets only; every figure comes from the engine in ``coverage/``.
"""
